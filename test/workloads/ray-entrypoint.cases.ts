import { execFileSync } from 'node:child_process';
import { Fn, Stack, Token } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { withRuns } from '../support/launched-runs';
import { TrainingEngine, TrainingJob } from '../../lib';
import { findInstance } from '../../lib/catalog/accelerators';
import { placementOnPool } from '../../lib/workloads/placement';
import { rayEntrypoint } from '../../lib/workloads/private/ray-entrypoint';

// A RayJob's entrypoint passes three parsers before the training program starts (KubeRay v1.7.0, the pinned
// kuberay-operator; Ray's job CLI and supervisor):
// 1. the submitter runs `/bin/bash -ce -- "… ray job submit --address … -- <entrypoint> ; …"` (ray-operator/
//    controllers/ray/common/job.go BuildJobSubmitCommand, rayjob_controller.go configureSubmitterContainer);
// 2. `ray job submit` joins its arguments with Python's subprocess.list2cmdline (dashboard/modules/job/cli.py);
// 3. the job supervisor runs that string with Popen(shell=True), /bin/sh -c (dashboard/modules/job/job_supervisor.py).
// The test runs the real bash and sh, with list2cmdline ported below, and checks the program gets its arguments.

/** CPython's subprocess.list2cmdline (Lib/subprocess.py), line for line. */
function list2cmdline(seq: string[]): string {
  const result: string[] = [];
  for (const arg of seq) {
    let bsBuf: string[] = [];
    if (result.length > 0) result.push(' ');
    const needquote = arg.includes(' ') || arg.includes('\t') || arg === '';
    if (needquote) result.push('"');
    for (const c of arg) {
      if (c === '\\') {
        bsBuf.push(c);
      } else if (c === '"') {
        result.push('\\'.repeat(bsBuf.length * 2));
        bsBuf = [];
        result.push('\\"');
      } else {
        if (bsBuf.length > 0) {
          result.push(...bsBuf);
          bsBuf = [];
        }
        result.push(c);
      }
    }
    if (bsBuf.length > 0) result.push(...bsBuf);
    if (needquote) {
      result.push(...bsBuf);
      result.push('"');
    }
  }
  return result.join('');
}

/** What the program receives when a RayJob runs `command`. */
function argumentsReceived(command: string[]): string[] {
  const printer = [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', '--'];
  const chart = new TrainingJob(Testing.app(), 'job', {
    name: 'sweep',
    namespace: 'ml',
    image: 'rayproject/ray:2.49.0',
    nodes: 1,
    engine: TrainingEngine.RAY,
    placement: placementOnPool('training', [findInstance('g6e.xlarge')!], 1),
    command: [...printer, ...command],
  });
  const rayJob = withRuns(Testing.synth(chart)).find((d: any) => d.kind === 'RayJob');
  const entrypoint: string = rayJob.spec.entrypoint.trim();
  // 1. KubeRay's submitter line, with `ray job submit` replaced by a printer of its arguments.
  const submitted = execFileSync('/bin/bash', [
    '-ce',
    '--',
    `printf '%s\\0' --address http://head:8265 -- ${entrypoint} ;`,
  ]).toString();
  const rayArgs = submitted.split('\0').slice(0, -1);
  // 2. and 3.: Ray's CLI joins them, the supervisor's shell runs the result.
  const ran = execFileSync('/bin/sh', ['-c', list2cmdline(rayArgs.slice(rayArgs.indexOf('--') + 1))]).toString();
  return JSON.parse(ran);
}

describe('a RayJob entrypoint reaches the program argument for argument', () => {
  test.each([
    [['train.py', '--epochs', '3']],
    [['train.py', '--name', 'two words', '--tab', 'a\tb']],
    [['train.py', "it's", '"quoted"', 'say "hi there"', 'mixed \'single\' and "double"']],
    [['train.py', '$HOME', '${HOME}', '$(id)', '`id`', 'cost $5 each', 'a;b', 'a|b', 'a&b', '>out', '*.py', '~', '#x']],
    [['train.py', 'back\\slash', 'end\\', 'two words\\', '\\"', 'x \\"y\\" z', '\\$HOME', 'a \\$b', 'c:\\dir\\']],
    [['train.py', '', ' ', 'FOO=bar', 'multi\nline', 'multi line\nwith space', '--opt=a b']],
  ])('%j', (command) => {
    expect(argumentsReceived(command)).toEqual(command);
  });

  test('plain commands stay readable in the manifest', () => {
    const chart = new TrainingJob(Testing.app(), 'job', {
      name: 'sweep',
      namespace: 'ml',
      image: 'rayproject/ray:2.49.0',
      nodes: 1,
      engine: TrainingEngine.RAY,
      placement: placementOnPool('training', [findInstance('g6e.xlarge')!], 1),
      command: ['python', 'sweep.py', '--trials=8', 'two words'],
    });
    expect(withRuns(Testing.synth(chart)).find((d: any) => d.kind === 'RayJob').spec.entrypoint).toBe(
      `python sweep.py --trials=8 'two words'`,
    );
  });
});

test('an argument holding a bucket name known at deploy time keeps the token (its literal parts plain)', () => {
  const bucket = Token.asString(Fn.importValue('bucket'));
  const arg = `s3://${bucket}/,s3://${bucket}/`;
  expect(rayEntrypoint(['python', 'job.py', '--sources', arg])).toBe(`python job.py --sources ${arg}`);
  expect(new Stack().resolve(rayEntrypoint(['--target', `s3://${bucket}/x/`]))).toEqual({
    'Fn::Join': ['', ['--target s3://', { 'Fn::ImportValue': 'bucket' }, '/x/']],
  });
});
