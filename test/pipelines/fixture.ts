import * as path from 'node:path';
import { Stack, type IStackSynthesizer } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  DataLake,
  DataPipeline,
  PipelineScript,
  PipelineTrigger,
  TableFormat,
  type DataPipelineProps,
} from '../../lib';
import { resourcesOf, testApp } from '../helpers';

export const SCRIPT = path.join(__dirname, '../../examples/jobs/reviews_clean.py');

/** A plain stack with a VPC, a DataLake and one pipeline (raw -> curated), as a user would build it. */
export function buildNew(
  props: Partial<DataPipelineProps> = {},
  opts: { topic?: boolean; edit?: (stack: Stack) => void; synthesizer?: IStackSynthesizer } = {},
) {
  const app = testApp();
  const stack = new Stack(app, 'Test', { synthesizer: opts.synthesizer });
  // An imported VPC: the pipeline's subnets are what it chose, without synthesizing a VPC per test.
  const vpc = importedVpc(stack);
  const dataLake = new DataLake(stack, 'DataLake', { namePrefix: 'acme' });
  const alarmTopic = opts.topic === false ? undefined : new sns.Topic(stack, 'Alarms', { enforceSSL: true });
  const pipeline = new DataPipeline(stack, 'Pipeline', {
    pipelineName: 'reviews-clean',
    dataLake,
    vpc,
    sources: ['raw'],
    target: 'curated',
    script: PipelineScript.fromAsset(SCRIPT),
    trigger: PipelineTrigger.schedule('cron(0 2 * * ? *)'),
    table: {
      tableName: 'reviews',
      format: TableFormat.PARQUET,
      partitionKeys: ['dt'],
      columns: [{ name: 'review_id', type: 'string' }],
    },
    alarmTopic,
    ...props,
  });
  opts.edit?.(stack);
  const template = Template.fromStack(stack);
  const id = (construct: any) => stack.getLogicalId(construct.node.defaultChild ?? construct);
  return { app, stack, vpc, dataLake, pipeline, template, id };
}

export const actionsOf = (s: any): string[] => ([] as string[]).concat(s.Action);

function importedVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: ['subnet-0private0a', 'subnet-0private0b'],
    publicSubnetIds: ['subnet-0public0a', 'subnet-0public0b'],
  });
}

/** The statements of every policy attached to a role. */
export function statementsOf(template: Template, roleId: string): any[] {
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

/** The pipeline state machine's definition, with its tokens rendered (`${Token}`) so it parses as JSON. */
export function definitionOf(template: Template): any {
  const [, sm] = resourcesOf(template, 'AWS::StepFunctions::StateMachine').find(
    ([, r]) => r.Properties.StateMachineName !== undefined,
  )!;
  const parts = sm.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  return JSON.parse(
    parts.map((p) => (typeof p === 'string' ? p : `\${${JSON.stringify(p).replace(/"/g, '')}}`)).join(''),
  );
}
