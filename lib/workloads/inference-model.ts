import { createHash } from 'node:crypto';
import { Token } from 'aws-cdk-lib';
import type { Problem } from '../core/problem';
import { CACHE_ENV } from './placement';
import { isVllmImage } from './defaults';

/**
 * The model an inference service serves: a data-lake zone path (`zone` + `path`, mounted read-only) or a hub
 * model (`uri: hf://org/name`, with its token in Secrets Manager). Give one of the two forms.
 */
export interface InferenceModel {
  /** The data-lake zone holding the weights, e.g. `models`. @default - none: a hub model (`uri`) */
  readonly zone?: string;
  /** The weights' folder in the zone, e.g. `llama-3-8b/v3` (relative, normalized). Required with `zone`. @default - none */
  readonly path?: string;
  /** The zone's bucket (the construct has no data lake; the definition fills it in). Required with `zone` in the construct. @default - none */
  readonly bucketName?: string;
  /** A hub model, `hf://<org>/<name>`. @default - none: a zone model */
  readonly uri?: string;
  /** Secrets Manager ARN of the hub token, delivered as `HF_TOKEN` (hub models only). @default - none: a public model */
  readonly tokenSecretArn?: string;
}

/** The mount of a zone model's prefix (s3Mounts name and path); the pod template names both, so a new path rolls the service. */
export function modelMount(model: InferenceModel): { name: string; mountPath: string; prefix: string } | undefined {
  if (model.zone === undefined || model.path === undefined) return undefined;
  return {
    name: `model-${shortHash(`${model.zone}/${model.path}`)}`,
    mountPath: `/models/${model.zone}/${model.path}`,
    prefix: `${model.path}/`,
  };
}

/** The hub id (`org/name`) of an `hf://` URI. */
export function hubModelId(uri: string): string {
  return uri.replace(/^hf:\/\//, '');
}

/**
 * The server arguments naming the model: vLLM's `--model` (a local path or a hub id) and `--served-model-name`
 * (the name clients ask for: the zone path, or the hub id). vLLM CLI, `vllm serve --help` at v0.11.0.
 */
export function modelArgs(model: InferenceModel): string[] {
  const mount = modelMount(model);
  if (mount) return ['--model', mount.mountPath, '--served-model-name', model.path!];
  if (model.uri !== undefined) return ['--model', hubModelId(model.uri), '--served-model-name', hubModelId(model.uri)];
  return [];
}

/** How a hub model's token reaches the server: Hugging Face libraries read `HF_TOKEN` (huggingface_hub constants). */
export const HUB_TOKEN_ENV = 'HF_TOKEN';

/** An environment variable name the platform can export from a shell: a C identifier (POSIX shell `export` takes no other). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Names the platform sets itself: the cache environment (placement.ts), and what EKS Pod Identity injects into
 * every container (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`: EKS user
 * guide, "Understand how EKS Pod Identity works"); a user value would shadow them.
 */
export function platformEnvNames(model?: InferenceModel): string[] {
  return [
    ...CACHE_ENV.map((e) => e.name),
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
    ...(model?.tokenSecretArn !== undefined ? [HUB_TOKEN_ENV] : []),
  ];
}

/**
 * A Secrets Manager secret ARN: `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>`
 * (Secrets Manager user guide, "Resources: secret ARN"; the suffix is part of the full ARN, which IAM matches exactly).
 */
const SECRET_ARN =
  /^arn:aws(-cn|-us-gov|-iso|-iso-[a-z])?:secretsmanager:[a-z]{2}(-[a-z]+)+-\d:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

export function secretArnProblems(field: string, arn: string): Problem[] {
  if (Token.isUnresolved(arn) || SECRET_ARN.test(arn)) return [];
  return [
    {
      field,
      value: arn,
      message:
        'must be the full ARN of a Secrets Manager secret: arn:<partition>:secretsmanager:<region>:<12-digit account>:secret:<name>-<6-character suffix>',
    },
  ];
}

/** A relative, normalized path of plain characters (no leading or trailing `/`, no empty, `.` or `..` segments). */
export function modelPathProblems(field: string, path: string): Problem[] {
  const segments = path.split('/');
  const ok = /^[A-Za-z0-9._/-]+$/.test(path) && segments.every((s) => s !== '' && s !== '.' && s !== '..');
  return ok
    ? []
    : [
        {
          field,
          value: path,
          message:
            'must be a non-empty, normalized path inside the zone: letters, digits and . _ - between single "/", no leading or trailing "/", no "." or ".." segments',
        },
      ];
}

/** `hf://<org>/<name>`: Hugging Face repository ids are `<namespace>/<name>` of letters, digits, `-`, `_`, `.` (huggingface_hub validate_repo_id). */
const HUB_URI = /^hf:\/\/[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The rules of a model (field names under `model`): exactly one form, a normalized path, an `hf://` URI, a
 * secret ARN for the token. `needsBucket`: the construct needs the zone's bucket; the definition fills it in.
 */
export function modelProblems(model: InferenceModel, needsBucket: boolean): Problem[] {
  const problems: Problem[] = [];
  const isZone = model.zone !== undefined || model.path !== undefined;
  if (isZone === (model.uri !== undefined)) {
    return [
      {
        field: 'model',
        value: undefined,
        message:
          'must give either zone and path (a data-lake zone) or uri (a hub model, hf://<org>/<name>), not both or neither',
      },
    ];
  }
  if (isZone) {
    if (model.zone === undefined)
      problems.push({ field: 'model.zone', value: undefined, message: 'is required with model.path' });
    if (model.path === undefined)
      problems.push({
        field: 'model.path',
        value: undefined,
        message: "is required with model.zone: the weights' folder in the zone",
      });
    else if (!Token.isUnresolved(model.path)) problems.push(...modelPathProblems('model.path', model.path));
    if (model.tokenSecretArn !== undefined)
      problems.push({
        field: 'model.tokenSecretArn',
        value: model.tokenSecretArn,
        message: "applies to hub models (uri) only; a zone model is read with the service's own role",
      });
    if (needsBucket && model.bucketName === undefined)
      problems.push({
        field: 'model.bucketName',
        value: undefined,
        message: "is required with model.zone: the zone's bucket",
      });
    return problems;
  }
  if (!Token.isUnresolved(model.uri!) && !HUB_URI.test(model.uri!))
    problems.push({ field: 'model.uri', value: model.uri, message: 'must be a hub model: hf://<org>/<name>' });
  if (model.tokenSecretArn !== undefined)
    problems.push(...secretArnProblems('model.tokenSecretArn', model.tokenSecretArn));
  return problems;
}

/**
 * The rules of a server's environment and secrets: names the shell can export, none the platform sets, none
 * in both maps, and secrets by full ARN.
 */
export function envProblems(
  env: Record<string, string>,
  secrets: Record<string, string>,
  model?: InferenceModel,
): Problem[] {
  const problems: Problem[] = [];
  const reserved = platformEnvNames(model);
  for (const [field, names] of [
    ['env', Object.keys(env)],
    ['secrets', Object.keys(secrets)],
  ] as const) {
    for (const name of names) {
      const at = `${field}.${name}`;
      if (!ENV_NAME.test(name))
        problems.push({
          field: at,
          value: name,
          message: 'must be an environment variable name: letters, digits and _, not starting with a digit',
        });
      else if (reserved.includes(name))
        problems.push({
          field: at,
          value: name,
          message: `is set by the platform (${reserved.join(', ')}); choose another name${name === HUB_TOKEN_ENV ? ' (the hub token comes from model.tokenSecretArn)' : ''}`,
        });
    }
  }
  for (const name of Object.keys(secrets)) {
    if (Object.prototype.hasOwnProperty.call(env, name))
      problems.push({ field: `secrets.${name}`, value: name, message: 'is also in env; give each variable once' });
    problems.push(...secretArnProblems(`secrets.${name}`, secrets[name]));
  }
  return problems;
}

/** Every secret the server receives, by environment name: `secrets` and the hub token. */
export function serverSecrets(secrets: Record<string, string>, model?: InferenceModel): Record<string, string> {
  return { ...secrets, ...(model?.tokenSecretArn !== undefined ? { [HUB_TOKEN_ENV]: model.tokenSecretArn } : {}) };
}

/** 8 hex digits of the path's SHA-256: a stable, short name for a model path. */
function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8);
}

/** With secrets, the server starts through a shell that then runs its entrypoint: known for vLLM's image, given otherwise. */
export function commandProblems(
  image: string,
  command: string[] | undefined,
  secrets: Record<string, string>,
  model?: InferenceModel,
): Problem[] {
  if (Object.keys(serverSecrets(secrets, model)).length === 0 || command !== undefined || isVllmImage(image)) return [];
  return [
    {
      field: 'command',
      value: undefined,
      message:
        "is required with secrets for an image other than vLLM's: the server starts through a shell that exports them, then runs this entrypoint",
    },
  ];
}
