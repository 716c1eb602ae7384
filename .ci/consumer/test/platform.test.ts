import { App } from 'aws-cdk-lib';
import { AiPlatform } from 'cdk-ai-platform';
import { snapshotStacks } from 'cdk-ai-platform/testing';
import { referencePlatform } from '../examples/reference-platform';

// The README's snapshot test, word for word but for the definition's import.
test('platform', () => {
  const app = new App();
  new AiPlatform(app, 'AiPlatform', { definition: referencePlatform });
  expect(snapshotStacks(app)).toMatchSnapshot();
});
