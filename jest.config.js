/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The integ app's snapshot check is its own CI step (`npm run integ`, INTEG=1), not part of npm test.
  testPathIgnorePatterns: process.env.INTEG === '1' ? ['/node_modules/'] : ['/node_modules/', '<rootDir>/test/integ/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  snapshotSerializers: ['<rootDir>/lib/testing/asset-hash-serializer.ts'],
  testTimeout: 120000,
  // Jest's default is cores - 1 (one worker on CI's 2 cores); the suites are mostly CPU-bound synthesis.
  maxWorkers: 2,
  // Scratch output of the run (cdk.out, cdk8s output, CLI synths) in one temporary directory, removed after.
  globalSetup: '<rootDir>/test/support/global-setup.cjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.cjs',
};
