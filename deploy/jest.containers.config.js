// The container test: builds the images, runs docker-compose.yml, kills containers. Needs root
// and Debian's docker.io; scripts/test.sh runs it when SWITCHBOARD_CONTAINER_TESTS=1 (CI).
module.exports = require('../jest.preset')(__dirname, {
  testMatch: ['<rootDir>/test/containers/*.spec.ts'],
  testTimeout: 15 * 60 * 1000,
});
