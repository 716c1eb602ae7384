module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/build/test'],
  testMatch: ['**/*.test.js'],
  snapshotSerializers: ['cdk-ai-platform/testing/asset-hash-serializer'],
  testTimeout: 120000,
};
