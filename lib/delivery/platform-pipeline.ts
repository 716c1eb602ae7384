import { Duration, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { limitGrantsToAwsServices } from '../core/key-policy';
import { PlatformValidationError } from '../core/problems';
import { stageDefinition } from '../definition/resolve-delivery';
import { pipelineName } from '../definition/resolve-pipelines';
import { resolveDefinition } from '../definition/resolve';
import type { ResolvedDefinition, ResolvedDeliveryStage } from '../definition/resolved';
import { DeliveryApproval, type AiPlatformDefinition } from '../definition/types';
import { AiPlatform } from '../platform/ai-platform';
import { PIPELINE_BUCKET, acknowledgePipelineWildcards, logBucketAccess } from './private/pipeline-findings';
import { changeCommands, synthCommands, verifyCommands } from './private/step-commands';
import { bindNamedZones } from './private/zones-context';

/** Props of {@link PlatformPipeline}. */
export interface PlatformPipelineProps {
  /** A definition with `delivery`. */
  readonly definition: AiPlatformDefinition;
  /**
   * The definition file's path in the repository, which the pipeline's builds pass to the CDK app
   * (`-c definition=<file>`). @default - `delivery.source.definitionFile`
   */
  readonly definitionFile?: string;
}

/** The CDK bootstrap qualifier whose roles the pipeline assumes (aws-cdk-lib DefaultStackSynthesizer). */
const QUALIFIER = 'hnb659fds';

/**
 * A self-mutating CDK Pipelines CodePipeline (stack `<name>-delivery`) that deploys the platform to each stage of
 * the definition's `delivery`, in order. Per stage: a change step (the platform synthesized for the stage and its
 * change report against the stage's last deployed assembly, published as the step's artifact), an approval when
 * the stage asks for one (`manual`: always; `on-replacement`: only when the report shows a replacement or removal
 * of nodes, data or endpoints, through a CodePipeline entry condition that skips the approval stage otherwise),
 * the platform's stacks in their dependency order, and a verification step before the next stage.
 *
 * The repository must hold a CDK app that reads `-c definition=<file>` and `-c ai-platform:stage=<stage>` the way
 * this package's reference app (bin/app.ts) does: the builds run `npx cdk synth` with them.
 */
export class PlatformPipeline extends Construct {
  public readonly definition: ResolvedDefinition;
  public readonly pipelineStack: Stack;
  public readonly pipeline: pipelines.CodePipeline;
  /** Each stage's platform, by stage name. */
  public readonly platforms: Record<string, AiPlatform> = {};
  /** Each stage's last deployed assembly and change reports (KMS-encrypted), under `<stage>/`. */
  public readonly baselineBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PlatformPipelineProps) {
    super(scope, id);
    const def = resolveDefinition(props.definition);
    const delivery = def.delivery;
    const file = props.definitionFile ?? delivery?.source.definitionFile;
    if (!delivery || file === undefined)
      throw new PlatformValidationError(
        'PlatformPipeline',
        [
          !delivery
            ? { field: 'definition.delivery', value: undefined, message: 'is required: the stages to deliver to' }
            : {
                field: 'definitionFile',
                value: undefined,
                message: 'is required (or delivery.source.definitionFile): the builds synthesize that file',
              },
        ],
        this,
      );
    this.definition = def;
    this.pipelineStack = new Stack(this, 'Delivery', {
      stackName: `${def.name}-delivery`,
      env: { account: delivery.account, region: delivery.region },
      description: `AI platform ${def.name}: delivery pipeline (${delivery.stages.map((s) => s.name).join(' -> ')})`,
    });
    const key = new kms.Key(this.pipelineStack, 'BaselineKey', {
      enableKeyRotation: true,
      description: `AI platform ${def.name}: the delivery pipeline's deployed assemblies and change reports`,
    });
    this.baselineBucket = new s3.Bucket(this.pipelineStack, 'Baselines', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      ...PIPELINE_BUCKET,
      lifecycleRules: [
        { id: 'expire-noncurrent', noncurrentVersionExpiration: Duration.days(90) },
        ...delivery.stages.map((s) => ({
          id: `expire-pending-${s.name}`,
          prefix: `${s.name}/pending/`,
          expiration: Duration.days(30),
        })),
      ],
    });

    const source = pipelines.CodePipelineSource.connection(delivery.source.repository, delivery.source.branch, {
      connectionArn: delivery.source.connectionArn,
    });
    this.pipeline = new pipelines.CodePipeline(this.pipelineStack, 'Pipeline', {
      pipelineName: `${def.name}-delivery`,
      // Stage entry conditions (the on-replacement approval) exist in V2 pipelines only (CodePipeline user guide,
      // "Configure conditions for a stage").
      pipelineType: codepipeline.PipelineType.V2,
      // Artifacts in a KMS-encrypted bucket whose key the stage accounts' deploy roles may use (pipelines/README).
      crossAccountKeys: true,
      enableKeyRotation: true,
      synth: new pipelines.CodeBuildStep('Synth', { input: source, commands: synthCommands(file) }),
      // Every CodeBuild project logs to one log group kept a year (AWS Control Tower CT.CODEBUILD.PR.3 asks each
      // project for logging); the change reports are also the Review steps' artifacts.
      codeBuildDefaults: {
        logging: {
          cloudWatch: {
            logGroup: new logs.LogGroup(this.pipelineStack, 'BuildLogs', {
              retention: logs.RetentionDays.ONE_YEAR,
              removalPolicy: RemovalPolicy.RETAIN,
            }),
          },
        },
      },
    });
    const approvals: { stageName: string; when: string }[] = [];
    for (const stage of delivery.stages) {
      const platform = this.stagePlatform(stage, props.definition);
      const env = {
        STAGE: stage.name,
        BASELINE_BUCKET: this.baselineBucket.bucketName,
        // A pipeline variable goes into the CodeBuild action's environment, which CodePipeline resolves per run
        // (pipelines codebuild-factory.js: containsPipelineVariable).
        EXECUTION_ID: '#{codepipeline.PipelineExecutionId}',
      };
      const changes = new pipelines.CodeBuildStep('Changes', {
        input: source,
        env,
        commands: changeCommands(def.name, file),
        primaryOutputDirectory: 'stage.out/plan',
        rolePolicyStatements: this.baselineAccess(key, stage),
      });
      this.pipeline.addWave(`Review-${stage.name}`, { pre: [changes] });
      if (stage.approval !== DeliveryApproval.NONE) {
        // The step's variable, named in the comment, is what CDK Pipelines needs to give the step a namespace
        // (a consumer step registers the output: pipelines blueprint/manual-approval.js discoverReferencedOutputs).
        const needed =
          stage.approval === DeliveryApproval.ON_REPLACEMENT ? changes.exportedVariable('APPROVAL_NEEDED') : undefined;
        const approval = new pipelines.ManualApprovalStep('Approve', {
          comment: `Deploy ${def.name} to ${stage.name} (${stage.account}, ${stage.region}): read the change report, the Changes artifact of Review-${stage.name}${needed ? ` (it replaces or removes nodes, data or endpoints: ${needed})` : ''}`,
        });
        this.pipeline.addWave(`Approve-${stage.name}`, { pre: [approval] });
        if (needed) approvals.push({ stageName: `Approve-${stage.name}`, when: needed });
      }
      const verify = new pipelines.CodeBuildStep('Verify', {
        env: { ...env, STAGE_REGION: stage.region },
        commands: verifyCommands({
          lookupRoleArn: this.bootstrapRoleArn(stage, 'lookup'),
          clusterName: platform.cluster.clusterName,
          monitoringStack: platform.monitoringStack.stackName,
          stateMachineArns: platform.definition.pipelines.map(
            (p) =>
              `arn:${this.pipelineStack.partition}:states:${stage.region}:${stage.account}:stateMachine:${pipelineName(def.name, p)}`,
          ),
        }),
        rolePolicyStatements: [
          new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [this.bootstrapRoleArn(stage, 'lookup')] }),
          ...this.baselineAccess(key, stage),
        ],
      });
      this.pipeline.addStage(platform.node.scope as Stage, { post: [verify] });
    }
    this.pipeline.buildPipeline();
    const accessLogs = logBucketAccess(this.pipelineStack, this.baselineBucket, this.pipeline.pipeline.artifactBucket);
    this.meetControlTowerControls(key, accessLogs);
    acknowledgePipelineWildcards(
      this.pipeline,
      this.baselineBucket,
      delivery.stages.map((s) => s.name),
    );
    for (const a of approvals) this.skipUnlessNeeded(a.stageName, a.when);
  }

  /**
   * The AWS Control Tower proactive controls every example passes (CI's cfn-guard rules) on the pipeline's buckets
   * and keys: grants on the keys only for AWS services (CT.KMS.PR.3), and on the three buckets versioning (CT.S3.PR.11),
   * a lifecycle (CT.S3.PR.6) and S3 events to EventBridge (CT.S3.PR.4, free for events of AWS services). CDK Pipelines
   * makes the artifact bucket itself, so it is set on its L1.
   */
  private meetControlTowerControls(baselineKey: kms.Key, accessLogs: s3.Bucket): void {
    const artifacts = this.pipeline.pipeline.artifactBucket;
    limitGrantsToAwsServices(baselineKey);
    if (artifacts.encryptionKey) limitGrantsToAwsServices(artifacts.encryptionKey);
    const cfnArtifacts = artifacts.node.defaultChild as s3.CfnBucket;
    cfnArtifacts.versioningConfiguration = { status: 'Enabled' };
    cfnArtifacts.lifecycleConfiguration = {
      rules: [
        {
          id: 'expire-artifacts',
          status: 'Enabled',
          expirationInDays: 90,
          noncurrentVersionExpiration: { noncurrentDays: 30 },
        },
      ],
    };
    for (const bucket of [
      cfnArtifacts,
      ...[this.baselineBucket, accessLogs].map((b) => b.node.defaultChild as s3.CfnBucket),
    ])
      bucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
  }

  /** The stage's platform, inside a cdk.Stage bound to the stage's account and Region. */
  private stagePlatform(stage: ResolvedDeliveryStage, definition: AiPlatformDefinition): AiPlatform {
    const env = { account: stage.account, region: stage.region };
    const cdkStage = new Stage(this, stage.name, { env });
    bindNamedZones(cdkStage, stage.account, stage.region, this.definition.network.availabilityZones ?? []);
    const platform = new AiPlatform(cdkStage, 'AiPlatform', { definition: stageDefinition(definition, stage), env });
    this.platforms[stage.name] = platform;
    return platform;
  }

  /** A bootstrap role of a stage's account (`cdk bootstrap` names them so). */
  private bootstrapRoleArn(stage: ResolvedDeliveryStage, role: 'lookup'): string {
    return `arn:${this.pipelineStack.partition}:iam::${stage.account}:role/cdk-${QUALIFIER}-${role}-role-${stage.account}-${stage.region}`;
  }

  /** Read and write one stage's prefix of the baseline bucket (named actions, the stage's keys only). */
  private baselineAccess(key: kms.IKey, stage: ResolvedDeliveryStage): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.baselineBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${stage.name}/*`] } },
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.baselineBucket.arnForObjects(`${stage.name}/*`)],
      }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
    ];
  }

  /**
   * CodePipeline cannot branch, but a stage's entry condition can skip it: a VariableCheck rule that fails engages
   * the condition's result, and SKIP is allowed for entry conditions with LambdaInvoke or VariableCheck rules (user
   * guide, "Configure conditions for a stage"). So the approval stage is entered only when the change step set
   * APPROVAL_NEEDED=true. CDK Pipelines creates the stages itself, so the condition is set on the rendered stage.
   */
  private skipUnlessNeeded(stageName: string, variable: string): void {
    const cfn = this.pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline;
    const index = this.pipeline.pipeline.stages.findIndex((s) => s.stageName === stageName);
    cfn.addPropertyOverride(`Stages.${index}.BeforeEntry`, {
      Conditions: [
        {
          Result: codepipeline.Result.SKIP,
          Rules: [
            {
              Name: `${stageName}-needed`,
              RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' },
              Configuration: { Variable: variable, Value: 'true', Operator: 'EQ' },
            },
          ],
        },
      ],
    });
  }
}
