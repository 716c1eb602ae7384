import { Token, Tokenization } from 'aws-cdk-lib';

/**
 * A RayJob `entrypoint` that runs exactly `command` (each element one argument, as in a container's `command`).
 *
 * The string is read by three parsers in turn, and each argument is quoted for all three:
 * 1. KubeRay (v1.7.0, K8sJobMode) runs `/bin/bash -ce -- "... ray job submit ... -- <entrypoint> ; ..."`: bash
 *    splits the entrypoint into `ray job submit`'s arguments (ray-operator/controllers/ray/common/job.go
 *    BuildJobSubmitCommand, rayjob_controller.go configureSubmitterContainer, utils/util.go GetContainerCommand).
 * 2. Ray's job CLI joins those arguments back into one string with Python's `subprocess.list2cmdline`
 *    (python/ray/dashboard/modules/job/cli.py, submit), which quotes only arguments with a space or tab, with `"`.
 * 3. The job supervisor runs that string with `subprocess.Popen(..., shell=True)`, i.e. `/bin/sh -c`
 *    (python/ray/dashboard/modules/job/job_supervisor.py, _exec_entrypoint).
 * So each argument is first written as `/bin/sh` must read it after list2cmdline, and that word is then
 * single-quoted for bash.
 */
export function rayEntrypoint(command: readonly string[]): string {
  return command.map((arg, i) => (plainWithTokens(arg) ? arg : bashWord(forListToShell(arg, i === 0)))).join(' ');
}

/**
 * An argument holding tokens (a bucket name known at deploy time, `s3://${bucket}/`) whose literal parts are plain:
 * left as it is, since quoting would escape the token's own characters. The tokens it holds must resolve to plain
 * words too, as S3 bucket names do (lowercase letters, digits, `.` and `-`: S3 user guide, "Bucket naming rules").
 */
function plainWithTokens(arg: string): boolean {
  if (!Token.isUnresolved(arg)) return false;
  // Each token read as a plain word, then the whole argument held to PLAIN.
  const asWord = Tokenization.reverseString(arg)
    .mapTokens({ mapToken: () => 'token' })
    .join({ join: (a: unknown, b: unknown) => `${a}${b}` });
  return typeof asWord === 'string' && PLAIN.test(asWord);
}

/** Characters every POSIX shell reads as themselves in an unquoted word (`=` too, except in a first word: `a=b` assigns). */
const PLAIN = /^[A-Za-z0-9_\-.,/:@%+=]+$/;

/** `word` as one bash word: as is when plain, else single-quoted (a `'` written as `'\''`). */
function bashWord(word: string): string {
  return PLAIN.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * What Ray's CLI must receive so that `/bin/sh` reads `arg` back from `list2cmdline([..., it, ...])`. list2cmdline
 * wraps an argument holding a space or tab (or an empty one) in `"`; in every argument it writes a `"` as `\"` and
 * doubles the backslashes right before it, and in a wrapped one also those at its end (CPython Lib/subprocess.py).
 */
function forListToShell(arg: string, first: boolean): string {
  const wrapped = arg === '' || /[ \t]/.test(arg);
  let out = '';
  for (let i = 0; i < arg.length; i++) {
    if (arg[i] === '\\') {
      let end = i;
      while (arg[end] === '\\') end++;
      const run = end - i;
      const next = arg[end];
      // list2cmdline doubles a run before `"` (and, wrapped, one at the end); sh halves every run it reads.
      out += '\\'.repeat(next === '"' || (wrapped && next === undefined) ? run : 2 * run);
      i = end - 1;
    } else {
      out += wrapped ? inDoubleQuotes(arg[i]) : unquoted(arg[i], first);
    }
  }
  return out;
}

/** A character inside sh's `"…"`: `$` and a backquote escaped; a `"` left for list2cmdline to write as `\"`. */
function inDoubleQuotes(c: string): string {
  return c === '$' || c === '`' ? `\\${c}` : c;
}

/** A character of an unquoted sh word: plain ones as is, a newline single-quoted, `"` left to list2cmdline, others escaped. */
function unquoted(c: string, first: boolean): string {
  if ((PLAIN.test(c) && !(first && c === '=')) || c === '"') return c;
  return c === '\n' ? `'\n'` : `\\${c}`;
}
