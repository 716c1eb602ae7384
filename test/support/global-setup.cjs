// One temporary directory per test run: every App, cdk8s App and child process of the run writes its
// scratch output (cdk.out*, cdk8s.outdir*, CLI synth outputs with staged assets) under it, and the
// teardown removes it, so test runs leave nothing behind in the system temp directory.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ai-platform-test-'));
  process.env.AI_PLATFORM_TEST_TMP = dir;
  process.env.TMPDIR = dir;
};
