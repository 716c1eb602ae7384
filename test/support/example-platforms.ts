import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { AiPlatform, loadDefinitionFile, type AiPlatformDefinition } from '../../lib';
import { multiTeamPlatform } from '../../examples/multi-team';
import { referencePlatform } from '../../examples/reference-platform';
import { manifestsOf, referenceWith, testApp } from '../helpers';
import { FULL_TESTS } from './full-tests';
import { withRuns } from './launched-runs';

const exampleFile = (name: string) =>
  loadDefinitionFile(join(__dirname, '../../examples', name)) as AiPlatformDefinition;

/** A platform the example suite builds once and holds to every contract. */
export interface ExamplePlatform {
  readonly name: string;
  /** Snapshotted (the examples users read); variants are not. */
  readonly snapshot: boolean;
  readonly app: App;
  readonly platform: AiPlatform;
  /** Every template of the synthesized app, by stack construct id (`Data`, `Platform`, `Monitoring`, overflow stacks). */
  readonly templates: Record<string, any>;
  /** Every manifest of every chart the platform delivers. */
  readonly manifests: any[];
}

/** Examples built (and snapshotted) only in CI's full step (see buildExamplePlatforms). */
export const FULL_ONLY_EXAMPLES = ['multi-team.ts', 'distributed-training.json', 'internet-endpoint.yaml'];

/** A Karpenter + Neuron + Ray + Capacity Block variant: exercises what the examples do not. */
export const CONTRACTS_VARIANT: AiPlatformDefinition = {
  name: 'contracts',
  nodePools: [
    { name: 'serving', instanceTypes: ['g6.xlarge'], maxNodes: 4, provisioner: 'karpenter' as never },
    { name: 'neuron', instanceTypes: ['trn1.32xlarge'], maxNodes: 2, provisioner: 'karpenter' as never },
    {
      name: 'reserved',
      instanceTypes: ['p5.48xlarge'],
      maxNodes: 2,
      capacityType: 'capacity-block' as never,
      capacityReservationId: 'cr-0123456789abcdef0',
      efa: true,
    },
  ],
  inference: [{ name: 'chat', image: 'vllm/vllm-openai:v0.11.0', nodePool: 'serving', maxReplicas: 4 }],
  training: [
    {
      name: 'tune',
      image: 'rayproject/ray-ml:2.49.0-gpu',
      nodePool: 'neuron',
      engine: 'ray' as never,
      nodes: 2,
      command: ['python', 'tune.py'],
    },
  ],
};

function build(name: string, snapshot: boolean, make: (app: App) => AiPlatform, validate = false): ExamplePlatform {
  const app = testApp({ validate });
  const platform = make(app);
  const assembly = app.synth();
  const templates = Object.fromEntries(
    assembly.stacksRecursively.map((s) => [s.hierarchicalId.split('/').pop()!, s.template]),
  );
  // With the runs the training launchers create (JobSets, RayJobs in their ConfigMaps): held to the same contracts.
  return { name, snapshot, app, platform, templates, manifests: withRuns(manifestsOf(platform.charts)) };
}

const plain = (definition: AiPlatformDefinition) => (app: App) => new AiPlatform(app, 'AiPlatform', { definition });

/**
 * Every example definition and two variants, each built (and synthesized) once for the whole example suite:
 * snapshots, template contracts, admission and schema validation all read the same build. aws-cdk-lib's
 * built-in CloudFormation validation is off here (about 4 s a platform): CI runs cfn-lint, a stricter schema
 * check, on every example's templates, and `-c ai-platform:cfnValidation=true` turns it on in `cdk synth`.
 */
export function buildExamplePlatforms(): ExamplePlatform[] {
  return [
    build('reference-platform.ts', true, plain(referencePlatform)),
    build('llm-inference.yaml', true, plain(exampleFile('llm-inference.yaml'))),
    // The other examples and the variants (about 10 s) in CI's full step (their snapshots too); npm test holds
    // the reference and one definition file to the same contracts.
    ...(FULL_TESTS
      ? [
          build('multi-team.ts', true, plain(multiTeamPlatform)),
          build('distributed-training.json', true, plain(exampleFile('distributed-training.json'))),
          build('internet-endpoint.yaml', true, plain(exampleFile('internet-endpoint.yaml'))),
          build('karpenter/neuron/ray/capacity-block variant', false, plain(CONTRACTS_VARIANT)),
          build(
            'reference + Karpenter pool + Ray training job',
            false,
            plain(
              referenceWith((d) => {
                d.nodePools[0].provisioner = 'karpenter';
                d.training.push({
                  name: 'tune',
                  image: 'rayproject/ray:2.49.0-gpu',
                  nodePool: 'training',
                  engine: 'ray',
                  nodes: 2,
                  gpusPerNode: 8,
                  command: ['python', 'tune.py'],
                });
              }),
            ),
          ),
        ]
      : []),
  ];
}
