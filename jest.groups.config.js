/**
 * npm test: the domain suites in two groups (test/groups/*.group.ts) and the example suite (its snapshots belong
 * to its own file), one file per worker, so the library loads and its synthesis warms once per group instead of
 * once per suite file. `npx jest test/<domain>` (jest.config.js) still runs any domain's suite alone.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/groups/*.group.ts', '<rootDir>/test/examples/*.test.ts'],
};
