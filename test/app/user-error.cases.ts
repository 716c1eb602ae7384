import { App, Stack } from 'aws-cdk-lib';
import { reportUserError } from '../../bin/user-error';
import { PlatformNetwork } from '../../lib/network/platform-network';

// How the reference app (bin/app.ts) tells input refused (message, exit 1) from a fault of the library (stack).
function report(fail: () => unknown): { handled: boolean; text: string } {
  let text = '';
  try {
    fail();
  } catch (e) {
    return {
      handled: reportUserError(e, (t) => {
        text += t;
      }),
      text,
    };
  }
  throw new Error('did not fail');
}

test('a construct refusing its props is reported with its construct path and field, without a stack', () => {
  const run = report(() => new PlatformNetwork(new Stack(new App(), 'Net'), 'Network', { natGateways: -1 }));
  expect(run.handled).toBe(true);
  expect(run.text).toMatch(/^\[Net\/Network\] PlatformNetwork: natGateways \(-1\) must be/);
  expect(run.text).not.toMatch(/^\s+at /m);
});

test('a stack refused at validation (e.g. past a CloudFormation quota) is reported without a stack', () => {
  const app = new App();
  const stack = new Stack(app, 'Big');
  stack.node.addValidation({
    validate: () => ['stack Big would hold 501 resources; CloudFormation allows 500 per stack'],
  });
  const run = report(() => app.synth());
  expect(run.handled).toBe(true);
  expect(run.text).toContain('[Big] stack Big would hold 501 resources');
  expect(run.text).not.toMatch(/^\s+at /m);
});

test("anything else is not the user's to fix: left to be thrown with its stack", () => {
  expect(
    report(() => {
      throw new TypeError('Cannot read properties of undefined');
    }),
  ).toEqual({ handled: false, text: '' });
  expect(
    report(() => {
      throw new Error('Validation failed with the following errors: (a message, not a type)');
    }),
  ).toEqual({ handled: false, text: '' });
});
