import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';

/**
 * Limits the creation of grants on a key the platform creates to AWS services acting for a principal (EBS for a
 * node's volume, EKS for its secrets, …): no principal can hand a grant on the key to an arbitrary principal.
 *
 * The statement is the one AWS Control Tower's proactive control CT.KMS.PR.3 requires: Deny `kms:CreateGrant` to
 * everyone when `kms:GrantIsForAWSResource` and `aws:PrincipalIsAWSService` are both false, under `BoolIfExists`
 * (https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html#ct-kms-pr-3-description;
 * condition keys: https://docs.aws.amazon.com/kms/latest/developerguide/grant-authorization.html).
 * It is free and changes nothing the platform does: every grant here is created by an integrated service.
 * Keys passed in by the user (imported or their own) are theirs to govern and are left alone.
 */
export function limitGrantsToAwsServices(key: kms.IKey): void {
  if (!(key instanceof kms.Key)) return;
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'GrantsOnlyForAwsServices',
      effect: iam.Effect.DENY,
      actions: ['kms:CreateGrant'],
      principals: [new iam.AnyPrincipal()],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
}
