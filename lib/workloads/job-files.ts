import { Token } from 'aws-cdk-lib';
import type { Problem } from '../core/problem';
import { mountPathProblems } from './s3-mounts';

/** Small text files every pod of a job reads (a script): kept in a ConfigMap, mounted read-only. */
export interface JobFiles {
  /** Where the files appear in the containers (`/opt/pipeline`): a normalized absolute path. */
  readonly directory: string;
  /** File name → contents (UTF-8 text). */
  readonly contents: Record<string, string>;
}

/** The ConfigMap of a job's files, and its volume's name in the pods. */
export function jobFilesName(jobName: string): string {
  return `${jobName}-files`;
}
export const JOB_FILES_VOLUME = 'files';

// A ConfigMap's data keys (pkg/apis/core/validation/validation.go ValidateConfigMap, apimachinery IsConfigMapKey):
// [-._a-zA-Z0-9]+, at most 253 characters, not `.` or `..` (nor starting with `..`).
const KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_KEY = 253;
/**
 * Bytes of the files as JSON. A ConfigMap holds 1 MiB (ValidateConfigMap: core.MaxSecretSize), but the cluster's
 * kubectl handler applies charts client-side (aws-eks-v2 kubectl-handler apply: `kubectl apply` / `create
 * --save-config`), which copies the whole object into its last-applied-configuration annotation, and annotations hold
 * 256 KiB in all (apimachinery pkg/api/validation/objectmeta.go TotalAnnotationSizeLimitB): 4 KiB is left for the
 * rest of the object (name, labels).
 */
export const MAX_JOB_FILES_BYTES = 256 * 1024 - 4 * 1024;

/** Problems of a job's files: the directory, each name as a ConfigMap key, and their size as the cluster applies them. */
export function jobFilesProblems(field: string, files: JobFiles | undefined): Problem[] {
  if (!files) return [];
  const out = [...mountPathProblems(`${field}.directory`, files.directory)];
  for (const name of Object.keys(files.contents)) {
    if (!KEY.test(name) || name.length > MAX_KEY || name.startsWith('..') || name === '.')
      out.push({
        field: `${field}.contents`,
        value: name,
        message: `must name files with letters, digits, '-', '_' and '.' (a ConfigMap key: 1..${MAX_KEY} characters, not '.' or starting '..')`,
      });
  }
  const text = Object.values(files.contents);
  if (!text.some((t) => Token.isUnresolved(t))) {
    const bytes = Buffer.byteLength(JSON.stringify(files.contents), 'utf8');
    if (bytes > MAX_JOB_FILES_BYTES)
      out.push({
        field: `${field}.contents`,
        value: `${bytes} bytes`,
        message: `must be at most ${MAX_JOB_FILES_BYTES} bytes as JSON: the ConfigMap holding them is applied with kubectl apply, which keeps the whole object in an annotation of at most 256 KiB (a ConfigMap itself holds 1 MiB); keep large code in the image`,
      });
  }
  return out;
}
