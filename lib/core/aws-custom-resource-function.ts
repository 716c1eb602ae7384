import { Stack, Validations } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { IConstruct } from 'constructs';

const acknowledged = new WeakSet<IConstruct>();

/**
 * The singleton function every AwsCustomResource of a stack runs in (SingletonFunction `AWS<uuid without dashes>`
 * at the stack's root), with its runtime finding acknowledged once; undefined before the first AwsCustomResource.
 */
export function awsCustomResourceFunction(stack: Stack): IConstruct | undefined {
  const fn = stack.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  if (!fn || acknowledged.has(fn)) return fn;
  acknowledged.add(fn);
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'The AwsCustomResource runtime is chosen and upgraded by aws-cdk-lib',
  });
  return fn;
}
