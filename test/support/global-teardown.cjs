const { rmSync } = require('node:fs');

module.exports = async () => {
  const dir = process.env.AI_PLATFORM_TEST_TMP;
  if (dir) rmSync(dir, { recursive: true, force: true });
};
