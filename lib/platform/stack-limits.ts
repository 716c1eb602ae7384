import { CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { CLOUDFORMATION } from '../catalog/service-limits';

/**
 * Fails synthesis — before any template is written (validation runs ahead of synthesis) — when a stack
 * would pass CloudFormation's resource or output quotas, naming what in the definition drives the count.
 * The template size is known only once the template is rendered: see {@link templateSizeProblems}.
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
      if (outputs > CLOUDFORMATION.maxOutputs) {
        errors.push(`stack ${stack.stackName} would hold ${outputs} outputs; CloudFormation allows ${CLOUDFORMATION.maxOutputs} per stack (${hint()})`);
      }
      return errors;
    },
  });
}

/**
 * Templates of a synthesized assembly that pass CloudFormation's 1 MB template quota (checked after
 * synthesis, through the public cloud-assembly API: no template exists before). The stack layout keeps
 * well under it; the CLI app (bin/app.ts) fails on any of these.
 */
export function templateSizeProblems(assembly: CloudAssembly): string[] {
  return assembly.stacksRecursively.flatMap((s) => {
    const bytes = Buffer.byteLength(JSON.stringify(s.template));
    return bytes > CLOUDFORMATION.maxTemplateBytes
      ? [`stack ${s.stackName} is ${Math.round(bytes / 1000)} KB; CloudFormation takes templates of at most ${CLOUDFORMATION.maxTemplateBytes / 1000} KB: move pools or workloads to another platform, or shorten them`]
      : [];
  });
}
