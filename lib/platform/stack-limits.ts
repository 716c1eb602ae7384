import { CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { CLOUDFORMATION } from '../catalog/service-limits';

/**
 * Fails synthesis — before any template is written (validation runs ahead of synthesis) — when a stack
 * would pass CloudFormation's per-template quotas, naming what in the definition drives the count.
 */
export function checkStackLimits(stack: Stack, hint: () => string): void {
  stack.node.addValidation({
    validate: () => {
      const own = (c: IConstruct) => Stack.of(c) === stack;
      const all = stack.node.findAll();
      // + 1: the CDKMetadata resource CDK adds while synthesizing.
      const resources = all.filter((c) => c instanceof CfnResource && own(c)).length + 1;
      const outputs = all.filter((c) => c instanceof CfnOutput && own(c)).length;
      const errors: string[] = [];
      if (resources > CLOUDFORMATION.maxResources) {
        errors.push(`stack ${stack.stackName} would hold ${resources} resources; CloudFormation allows ${CLOUDFORMATION.maxResources} per stack (${hint()})`);
      }
      // The template as CloudFormation will receive it (resolving it here costs about as much as synthesis).
      const bytes = Buffer.byteLength(JSON.stringify(stack.resolve((stack as unknown as { _toCloudFormation(): unknown })._toCloudFormation())));
      if (bytes > CLOUDFORMATION.maxTemplateBytes) {
        errors.push(`stack ${stack.stackName} would be ${Math.round(bytes / 1000)} KB; CloudFormation takes templates of at most ${CLOUDFORMATION.maxTemplateBytes / 1000} KB (${hint()})`);
      }
      if (outputs > CLOUDFORMATION.maxOutputs) {
        errors.push(`stack ${stack.stackName} would hold ${outputs} outputs; CloudFormation allows ${CLOUDFORMATION.maxOutputs} per stack (${hint()})`);
      }
      return errors;
    },
  });
}
