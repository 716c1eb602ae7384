import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smallPlatformApp } from '../../integ/small-platform';

// `npm run integ`: the integ app (integ/small-platform.ts) synthesized offline and compared with its committed
// snapshot: every template (the test stacks and the assertion stack) and the integ manifest (integ.json). Asset
// hashes are masked, as integ-runner ignores asset changes unless a test case sets diffAssets); asset files are not
// kept. `npm run integ:update` rewrites the snapshot after a reviewed change.
const SNAPSHOT = join(__dirname, '..', '..', 'integ', 'integ.small-platform.ts.snapshot');
const kept = (f: string) => f.endsWith('.template.json') || f === 'integ.json';
// integ-tests-alpha gives each API call a salt of the synth time, so that it runs on every deploy (sdk.js: Date.now()).
const mask = (text: string) =>
  text.replace(/[0-9a-f]{64}/g, '<asset hash>').replace(/"salt": ?"\d+"/g, '"salt": "<synth time>"');

let outdir: string;
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'integ-'));
  // The built-in CloudFormation validation off (seconds to load its spec): CI's cfn-lint checks templates.
  smallPlatformApp({
    outdir,
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:disable-asset-staging': true },
  }).synth();
  if (process.env.UPDATE_INTEG_SNAPSHOT === '1') {
    rmSync(SNAPSHOT, { recursive: true, force: true });
    mkdirSync(SNAPSHOT, { recursive: true });
    for (const f of readdirSync(outdir).filter(kept))
      writeFileSync(join(SNAPSHOT, f), mask(readFileSync(join(outdir, f), 'utf8')));
  }
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

test('the integ app synthesizes to its committed snapshot', () => {
  expect(existsSync(SNAPSHOT)).toBe(true);
  const files = readdirSync(outdir).filter(kept).sort();
  expect(readdirSync(SNAPSHOT).sort()).toEqual(files);
  for (const f of files)
    expect({ [f]: JSON.parse(mask(readFileSync(join(outdir, f), 'utf8'))) }).toEqual({
      [f]: JSON.parse(readFileSync(join(SNAPSHOT, f), 'utf8')),
    });
});

test('the integ manifest runs the four test stacks and the assertions', () => {
  const manifest = JSON.parse(readFileSync(join(outdir, 'integ.json'), 'utf8'));
  const [testCase] = Object.values<any>(manifest.testCases);
  expect(testCase.stacks.length).toBeGreaterThanOrEqual(4);
  expect(testCase.assertionStack).toBeDefined();
  expect(testCase.stackUpdateWorkflow).toBe(false);
});
