import { expect } from '@jest/globals';
import { App } from 'aws-cdk-lib';
import { AiPlatform } from '../lib';
import { snapshotStacks } from '../lib/testing';
import { referencePlatform } from './reference-platform';

/**
 * How a user snapshot-tests a platform: every stack's template with asset hashes masked, so the snapshot
 * changes only when the infrastructure does. In a jest test file:
 *
 * ```ts
 * test('platform', () => expectPlatformSnapshot());
 * ```
 */
export function expectPlatformSnapshot(app: App = new App()): void {
  // Build the platform unless the app already holds it (a test may have built it to check more).
  if (!app.node.tryFindChild('AiPlatform')) new AiPlatform(app, 'AiPlatform', { definition: referencePlatform });
  expect(snapshotStacks(app)).toMatchSnapshot();
}
