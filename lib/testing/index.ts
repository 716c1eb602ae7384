import { App, Stack, type Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { maskAssetHashes } from './mask';

export { maskAssetHashes } from './mask';

/**
 * The synthesized template of a stack with asset hashes masked, ready for `toMatchSnapshot()`.
 * Snapshots then change only when the infrastructure does, not when an asset is rebuilt.
 */
export function snapshotTemplate(stack: Stack): Record<string, unknown> {
  return maskAssetHashes(Template.fromStack(stack).toJSON());
}

/** Every stack of an app or stage, by stack name, with asset hashes masked. */
export function snapshotStacks(scope: App | Stage): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const child of scope.node.findAll()) {
    if (Stack.isStack(child)) out[child.stackName] = snapshotTemplate(child);
  }
  return out;
}
