// Offline checks: manifests render and validate, and agree with the code (test/*.spec.ts).
// The container test (test/containers/) needs root and a Docker engine: jest.containers.config.js.
module.exports = require('../jest.preset')(__dirname, {
  testMatch: ['<rootDir>/test/*.spec.ts'],
});
