// Shared Jest settings for every project. Tests import the libs from source
// (through moduleNameMapper) so a test run never depends on stale dist/ output.
const path = require('node:path');

// Packages that ship only ES modules: Jest's CommonJS runtime needs them transformed.
const esmOnly = [
  'execa',
  'p-retry',
  'p-queue',
  'p-timeout',
  'is-network-error',
  'p-map',
  '@sindresorhus',
  'figures',
  'get-stream',
  'human-signals',
  'is-plain-obj',
  'is-stream',
  'npm-run-path',
  'path-key',
  'parse-ms',
  'pretty-ms',
  'strip-final-newline',
  'unicorn-magic',
  'yoctocolors',
  'is-unicode-supported',
  '@sec-ant',
];

module.exports = (projectDir, overrides = {}) => ({
  rootDir: projectDir,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  moduleNameMapper: {
    '^@switchboard/([^/]+)$': [
      path.join(__dirname, 'libs/$1/src'),
      path.join(__dirname, 'apps/$1/src'),
    ],
    // Subpath entry points (package.json "exports", e.g. @switchboard/inventory/node-ranges)
    // are src/<subpath>.ts, so they come from source too; a package's own package.json
    // (the stack finds the apps' entry points by it) is left to the normal resolver.
    '^@switchboard/([^/]+)/(?!package\\.json$)([^/]+)$': [
      path.join(__dirname, 'libs/$1/src/$2'),
      path.join(__dirname, 'apps/$1/src/$2'),
    ],
    // unicorn-magic (execa -> npm-run-path) exports only under the `import` condition,
    // which Jest's CommonJS resolver does not use.
    '^unicorn-magic$': path.join(__dirname, 'node_modules/unicorn-magic/node.js'),
  },
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testTimeout: 30000,
  ...overrides,
});
