import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PipelineTrigger } from '../../lib';
import { buildNew, definitionOf, SCRIPT } from './fixture';

/** No Spark here: the example job is compiled, its pure parts and main() tested with plain python3. */
const python = (args: string[], input?: string) => spawnSync('python3', args, { encoding: 'utf8', input });

test('the example jobs compile (the Ray one too), and its own tests pass (input prefix, JSON-only glob, no input, no valid record)', () => {
  const compiled = python(['-m', 'py_compile', SCRIPT, path.join(path.dirname(SCRIPT), 'embed_reviews.py')]);
  expect(compiled.stderr).toBe('');
  const tests = python([path.join(__dirname, 'jobs', 'test_reviews_clean.py')]);
  expect(tests.stderr).toMatch(/\nOK\s*$/);
});

/** What the job makes of the arguments the state machine passes (tokens as placeholders): where it reads. */
function readPaths(args: string[]): string[] {
  const code = [
    'import importlib.util, json, sys',
    `spec = importlib.util.spec_from_file_location("job", ${JSON.stringify(SCRIPT)})`,
    'job = importlib.util.module_from_spec(spec); spec.loader.exec_module(job)',
    'a = job.parse_args(json.load(sys.stdin))',
    'print(json.dumps(job.input_paths(a.sources, a.input_prefix)))',
  ].join('\n');
  const r = python(['-c', code], JSON.stringify(args.map((a) => a.replace(/\$\{\{.*?\}\}/g, 'bucket'))));
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

test.each([
  ['the nightly (schedule, table)', {}],
  ['on arrival under reviews/', { trigger: PipelineTrigger.onArrival('raw', 'reviews/') }],
  ['by hand, no table', { trigger: undefined, table: undefined }],
])(
  '%s: the job accepts every argument it is given and reads only the reviews/ prefix of the raw zone',
  (_name, props) => {
    const args: string[] = definitionOf(buildNew(props).template).States.RunJob.Parameters.JobDriver.SparkSubmit
      .EntryPointArguments;
    expect(readPaths(args)).toEqual(['s3://bucket/reviews/']);
  },
);
