import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PlatformPipeline, type AiPlatformDefinition } from '../../lib';
import { loadDefinitionFile } from '../../lib/definition/load';
import { testApp } from '../helpers';

// The pipeline of examples/delivery.yaml, synthesized once for the file.
const app = testApp();
const pipeline = new PlatformPipeline(app, 'Delivery', {
  definition: loadDefinitionFile('examples/delivery.yaml') as AiPlatformDefinition,
});
(app as App).synth();

test('the delivery pipeline stack has no unacknowledged AwsSolutions finding', () => {
  const found = new AwsSolutionsChecks()
    .validateScope(pipeline.pipelineStack)
    .violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} ${(r as any).constructPath ?? r.resourceLogicalId}`),
    );
  expect(found).toEqual([]);
});
