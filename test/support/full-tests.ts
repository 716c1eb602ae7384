/**
 * Heavy matrices keep a representative slice in `npm test` (held to 60 s on 2 cores) and run whole in CI's
 * own step (`FULL_TESTS=1 npx jest <suite>`, see .ci/run). `full.test` runs a case only there.
 */
export const FULL_TESTS = process.env.FULL_TESTS === '1';

export const full = {
  test: FULL_TESTS ? test : test.skip,
  describe: FULL_TESTS ? describe : describe.skip,
};
