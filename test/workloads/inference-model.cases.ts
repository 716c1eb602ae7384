import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { AiPlatform, InferenceService, VersionCatalog, type InferenceServiceProps } from '../../lib';
import { findInstance } from '../../lib/catalog/accelerators';
import { placementOnPool } from '../../lib/workloads/placement';
import { leanReferenceWith, testApp } from '../helpers';

const g6e = placementOnPool('inference', [findInstance('g6e.xlarge')!], 1);
const prometheus = {
  serverAddress: 'https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/',
  awsRegion: 'us-east-1',
};
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf';
const TOKEN_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-token-XyZ123';

function synth(props: Partial<InferenceServiceProps> = {}) {
  const chart = new InferenceService(Testing.app(), 'svc', {
    name: 'llm',
    namespace: 'serving',
    image: 'vllm/vllm-openai:v0.11.0',
    placement: g6e,
    prometheus,
    ...props,
  });
  const docs: any[] = Testing.synth(chart);
  const pod = docs.find((d) => d.kind === 'Deployment').spec.template.spec;
  return { docs, pod, server: pod.containers[0] };
}

const zoneModel = { zone: 'models', path: 'llama-3-8b/v3', bucketName: 'acme-models' };

test("a zone model: its prefix mounted read-only, served by path and name, before the user's args", () => {
  const { docs, server } = synth({ model: zoneModel, args: ['--max-model-len', '8192'] });
  expect(server.args).toEqual([
    '--model',
    '/models/models/llama-3-8b/v3',
    '--served-model-name',
    'llama-3-8b/v3',
    '--max-model-len',
    '8192',
  ]);
  expect(server.volumeMounts).toEqual(
    expect.arrayContaining([expect.objectContaining({ mountPath: '/models/models/llama-3-8b/v3', readOnly: true })]),
  );
  const pv = docs.find((d) => d.kind === 'PersistentVolume');
  expect(pv.spec.mountOptions).toEqual(expect.arrayContaining(['read-only', 'prefix llama-3-8b/v3/']));
  expect(pv.spec.csi.volumeAttributes).toEqual({ bucketName: 'acme-models', authenticationSource: 'pod' });
});

test('changing the model path changes the pod template (the Deployment rolls)', () => {
  const a = synth({ model: zoneModel }).pod;
  const b = synth({ model: { ...zoneModel, path: 'llama-3-8b/v4' } }).pod;
  expect(JSON.stringify(a)).not.toEqual(JSON.stringify(b));
  expect(b.containers[0].args).toContain('/models/models/llama-3-8b/v4');
});

test('a hub model: served by its id, its token read at start as HF_TOKEN', () => {
  const { pod, server } = synth({ model: { uri: 'hf://meta-llama/Llama-3.1-8B-Instruct', tokenSecretArn: TOKEN_ARN } });
  expect(server.args).toEqual([
    '--model',
    'meta-llama/Llama-3.1-8B-Instruct',
    '--served-model-name',
    'meta-llama/Llama-3.1-8B-Instruct',
  ]);
  expect(pod.initContainers[0].command[2]).toContain(`fetch HF_TOKEN '${TOKEN_ARN}'`);
});

test('env values in the container; secrets read by an init container into memory, exported before vllm serve', () => {
  const { pod, server } = synth({ env: { VLLM_LOGGING_LEVEL: 'INFO' }, secrets: { API_KEY: ARN } });
  expect(server.env).toEqual(expect.arrayContaining([{ name: 'VLLM_LOGGING_LEVEL', value: 'INFO' }]));
  expect(server.env.map((e: any) => e.name)).not.toContain('API_KEY');
  const init = pod.initContainers[0];
  expect(init.image).toMatch(/^public\.ecr\.aws\/aws-cli\/aws-cli:2\.\d+\.\d+$/);
  expect(init.command[2]).toContain(`fetch API_KEY '${ARN}'`);
  expect(init.securityContext).toMatchObject({
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
  });
  const vol = pod.volumes.find((v: any) => v.name === 'server-secrets');
  expect(vol.emptyDir.medium).toBe('Memory');
  expect(server.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
  expect(server.command.slice(3)).toEqual(['server', 'vllm', 'serve']);
  expect(server.volumeMounts).toEqual(
    expect.arrayContaining([expect.objectContaining({ name: 'server-secrets', readOnly: true })]),
  );
});

test("without secrets the image's entrypoint runs as is", () => {
  const { pod, server } = synth({ env: { A: 'b' } });
  expect(server.command).toBeUndefined();
  expect(pod.initContainers).toBeUndefined();
});

test('the startup probe covers the model-load budget (30 minutes by default, overridable); readiness and liveness follow', () => {
  const budget = (c: any) => c.startupProbe.periodSeconds * c.startupProbe.failureThreshold;
  expect(budget(synth().server)).toBeGreaterThanOrEqual(1800);
  expect(budget(synth({ startupBudget: Duration.minutes(60) }).server)).toBeGreaterThanOrEqual(3600);
  const c = synth().server;
  expect(c.readinessProbe.httpGet).toEqual(c.startupProbe.httpGet);
});

test.each([
  [
    { model: { zone: 'models', path: '../x', bucketName: 'b' } },
    "model.path ('../x') must be a non-empty, normalized path",
  ],
  [
    { model: { zone: 'models', path: 'x/', bucketName: 'b' } },
    "model.path ('x/') must be a non-empty, normalized path",
  ],
  [{ model: { zone: 'models', path: 'x' } }, 'model.bucketName is required with model.zone'],
  [{ model: { uri: 'hf://x', zone: 'models', path: 'p', bucketName: 'b' } }, 'model must give either zone and path'],
  [
    { model: { uri: 'https://huggingface.co/org/name' } },
    "model.uri ('https://huggingface.co/org/name') must be a hub model",
  ],
  [
    { model: { uri: 'hf://org/name', tokenSecretArn: 'arn:aws:ssm:us-east-1:123456789012:parameter/x' } },
    'model.tokenSecretArn',
  ],
  [{ secrets: { API_KEY: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key' } }, 'secrets.API_KEY'],
  [{ env: { HOME: '/root' } }, "env.HOME ('HOME') is set by the platform"],
  [{ env: { 'MY-VAR': 'x' } }, "env.MY-VAR ('MY-VAR') must be an environment variable name"],
  [{ env: { API_KEY: 'x' }, secrets: { API_KEY: ARN } }, "secrets.API_KEY ('API_KEY') is also in env"],
  [{ secrets: { HF_TOKEN: ARN }, model: { uri: 'hf://org/name', tokenSecretArn: TOKEN_ARN } }, 'secrets.HF_TOKEN'],
  [{ image: 'ghcr.io/acme/server:1', secrets: { API_KEY: ARN } }, 'command is required with secrets'],
])('refuses %#', (props, message) => {
  expect(() => synth(props as Partial<InferenceServiceProps>)).toThrow(message);
});

test('secretArns lists what the role must read', () => {
  expect(
    InferenceService.secretArns({
      name: 'x',
      namespace: 'x',
      image: 'i',
      placement: g6e,
      secrets: { API_KEY: ARN },
      model: { uri: 'hf://o/n', tokenSecretArn: TOKEN_ARN },
    }),
  ).toEqual([ARN, TOKEN_ARN].sort());
});

describe('in a platform', () => {
  // testApp: no asset staging (staging the pipelines' scripts and the handlers' code is most of a synth's time).
  const platform = new AiPlatform(testApp(), 'AiPlatform', {
    definition: leanReferenceWith((d) => {
      d.inference[0].dataAccess = undefined;
      d.inference[0].model = { zone: 'models', path: 'llama-3-8b/v3' };
      d.inference[0].secrets = { API_KEY: ARN };
    }),
  });
  const stacks = platform.node.findAll().filter((c): c is Stack => c instanceof Stack);
  const templates = stacks.map((s) => Template.fromStack(s).toJSON());
  const policies = templates
    .flatMap((t) => Object.values(t.Resources ?? {}) as any[])
    .filter((r) => r.Type === 'AWS::IAM::Policy');
  const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);

  test("the service's role reads exactly its secrets and its model's prefix", () => {
    const secret = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(secret).toEqual([expect.objectContaining({ Effect: 'Allow', Resource: ARN })]);
    const get = statements.filter(
      (s) => [s.Action].flat().includes('s3:GetObject') && JSON.stringify(s.Resource).includes('llama-3-8b'),
    );
    expect(get).toHaveLength(1);
    expect(JSON.stringify(get[0].Resource)).toMatch(/\/llama-3-8b\/v3\/\*"/);
    const list = statements.find((s) => s.Action === 's3:ListBucket' && s.Condition?.StringLike);
    expect(list.Condition.StringLike['s3:prefix']).toEqual(['llama-3-8b/v3/', 'llama-3-8b/v3/*']);
  });

  test("no template holds more than the secret's ARN (the value is read at start)", () => {
    const all = JSON.stringify(templates);
    expect(all).toContain(ARN);
    // The name appears only where the init container reads it by ARN: no env value, no Kubernetes Secret object.
    const count = (re: RegExp) => (all.match(re) ?? []).length;
    expect(count(/fetch API_KEY '/g)).toBeGreaterThan(0);
    expect(count(/API_KEY/g)).toBe(count(/fetch API_KEY '/g));
    expect(count(/kind\\?":\\?"Secret\\?"/g)).toBe(0);
  });
});

test("the secret reader is the catalog's pinned image, listed for a registry mirror, and taken from the mirror when given", () => {
  const image = (props: Partial<InferenceServiceProps>) =>
    synth({ secrets: { API_KEY: ARN }, ...props }).pod.initContainers[0].image;
  expect(image({})).toBe('public.ecr.aws/aws-cli/aws-cli:2.27.49');
  const registry = '123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror';
  const copy = VersionCatalog.mirrorList(registry).find((c) => c.source === 'public.ecr.aws/aws-cli/aws-cli:2.27.49');
  expect(copy?.target).toBe(`${registry}/public.ecr.aws/aws-cli/aws-cli:2.27.49`);
  expect(image({ secretReaderImage: copy!.target })).toBe(copy!.target);
});
