import type { Construct } from 'constructs';

/**
 * Gives a scope the Availability Zones of an account and Region as the definition names them
 * (`network.availabilityZones`), under the context key aws-cdk-lib's availability-zones lookup reads
 * (`availability-zones:account=<account>:region=<region>`, core/lib/stack.js). aws-ec2's Vpc asks the stack for its
 * zones when it is given zones (to check they are a subset, aws-ec2/lib/vpc.js), which for an environment-bound
 * stack is a lookup needing credentials at synth; with the named zones, synth stays offline. The check then
 * compares the zones with themselves: the named zones' existence in the account is the user's word.
 */
export function bindNamedZones(scope: Construct, account: string, region: string, zones: readonly string[]): void {
  scope.node.setContext(`availability-zones:account=${account}:region=${region}`, [...zones]);
}
