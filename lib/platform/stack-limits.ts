import { CfnElement, CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { CLOUDFORMATION } from '../catalog/service-limits';

/**
 * Fails synthesis — before any template is written (validation runs ahead of synthesis) — when a stack
 * would pass CloudFormation's resource or output quotas or its template size quota, naming what in the
 * definition drives it. The size is estimated from what the stack's elements hold (see
 * {@link estimateTemplateBytes}); {@link templateSizeProblems} checks the written templates once more.
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
        errors.push(
          `stack ${stack.stackName} would hold ${resources} resources; CloudFormation allows ${CLOUDFORMATION.maxResources} per stack (${hint()})`,
        );
      }
      if (outputs > CLOUDFORMATION.maxOutputs) {
        errors.push(
          `stack ${stack.stackName} would hold ${outputs} outputs; CloudFormation allows ${CLOUDFORMATION.maxOutputs} per stack (${hint()})`,
        );
      }
      const size = estimateTemplateBytes(stack);
      if (size.bytes > CLOUDFORMATION.maxTemplateBytes) {
        const largest = [...size.byChild]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([id, n]) => `${id} ${kb(n)} KB`)
          .join(', ');
        errors.push(
          `stack ${stack.stackName} would be about ${kb(size.bytes)} KB; CloudFormation takes templates of at most ${kb(CLOUDFORMATION.maxTemplateBytes)} KB (largest: ${largest}; ${hint()}): shorten the labels, names and annotations these carry, or move pools or workloads to another platform`,
        );
      }
      return errors;
    },
  });
}

// The parts of a template outside its elements: the braces, the section keys and the `Description` line
// (whose text is added on top); measured on the templates of the reference platform.
const TEMPLATE_OVERHEAD_BYTES = 60;

/**
 * Bytes of a stack's template as aws-cdk-lib writes it, estimated before synthesis: each element rendered
 * as Stack#_toCloudFormation renders it (the synthesizer's bootstrap-version rule and parameter among them) (`stack.resolve(element._toCloudFormation())`, merged section by
 * section, written by `JSON.stringify(template, undefined, 1)` unless indentation is suppressed:
 * aws-cdk-lib core/lib/stack.js), plus a fixed overhead. Also the bytes by the stack's top-level child
 * (a pool's or workload's construct), to name what drives the size.
 */
export function estimateTemplateBytes(stack: Stack): {
  readonly bytes: number;
  readonly byChild: ReadonlyMap<string, number>;
} {
  const indent = (stack as unknown as { _suppressTemplateIndentation?: boolean })._suppressTemplateIndentation
    ? undefined
    : 1;
  const byChild = new Map<string, number>();
  let bytes = TEMPLATE_OVERHEAD_BYTES + Buffer.byteLength(JSON.stringify(stack.templateOptions.description ?? ''));
  for (const el of stack.node.findAll()) {
    if (!(el instanceof CfnElement) || Stack.of(el) !== stack) continue;
    const fragment = stack.resolve((el as unknown as { _toCloudFormation(): object })._toCloudFormation()) as Record<
      string,
      object
    >;
    // A fragment is { Section: { LogicalId: body } }, nested as deep as in the template: its own wrapper
    // `{\n "Section": {\n` … `\n }\n}` is replaced there by the `,\n` between entries.
    const n = Object.entries(fragment).reduce(
      (sum, [section, body]) =>
        sum +
        Buffer.byteLength(JSON.stringify({ [section]: body }, undefined, indent)) -
        section.length -
        (indent ? 12 : 6),
      0,
    );
    bytes += n;
    const child = el.node.scopes[stack.node.scopes.length]?.node.id ?? el.node.id;
    byChild.set(child, (byChild.get(child) ?? 0) + n);
  }
  return { bytes, byChild };
}

function kb(bytes: number): number {
  return Math.round(bytes / 1000);
}

/**
 * Templates of a synthesized assembly that pass CloudFormation's 1 MB template quota (checked after
 * synthesis, through the public cloud-assembly API), a second line behind the estimate the validation of
 * {@link checkStackLimits} refuses before anything is written; the CLI app (bin/app.ts) fails on any of these.
 */
export function templateSizeProblems(assembly: CloudAssembly): string[] {
  return assembly.stacksRecursively.flatMap((s) => {
    const bytes = Buffer.byteLength(JSON.stringify(s.template));
    return bytes > CLOUDFORMATION.maxTemplateBytes
      ? [
          `stack ${s.stackName} is ${Math.round(bytes / 1000)} KB; CloudFormation takes templates of at most ${CLOUDFORMATION.maxTemplateBytes / 1000} KB: move pools or workloads to another platform, or shorten them`,
        ]
      : [];
  });
}
