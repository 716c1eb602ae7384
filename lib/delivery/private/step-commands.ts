/**
 * The shell of the pipeline's CodeBuild steps. CodeBuild runs a buildspec 0.2 phase's commands in one shell, so an
 * `export` holds for the commands after it (CodeBuild buildspec reference, "version 0.2": environment variables
 * persist across commands), and `env.exported-variables` hands a variable's final value to CodePipeline.
 */

/** Installs the repository's dependencies (package-lock.json, as the synth step does). */
export const INSTALL = 'npm ci --no-audit --no-fund';

/** Commands of the synth step: the app synthesizes the pipeline and every stage's platform from the definition. */
export function synthCommands(definitionFile: string): string[] {
  return [INSTALL, `npx cdk synth -q -c definition=${definitionFile}`];
}

/**
 * Commands of a stage's change step: synthesize the stage's platform alone, compare it with the stage's last
 * deployed assembly (kept in the baseline bucket under `<stage>/deployed/`), publish the report as the step's
 * output (`stage.out/plan`), set APPROVAL_NEEDED for the approval stage's entry condition, and keep the assembly
 * under `<stage>/pending/<execution>/` for the verification step to promote once the stage works.
 */
export function changeCommands(platformName: string, definitionFile: string): string[] {
  return [
    INSTALL,
    'mkdir -p baseline',
    'aws s3 sync "s3://$BASELINE_BUCKET/$STAGE/deployed/" baseline/ --only-show-errors',
    'if [ -f baseline/manifest.json ]; then BASELINE="-c ai-platform:baseline=baseline"; else BASELINE=""; echo "No deployed assembly of $STAGE yet: a first deploy, nothing to compare"; fi',
    // Exits 1 on a change that would fail at deploy or lose data (the change report's refusals): the stage stops.
    `npx cdk synth -q -c definition=${definitionFile} -c ai-platform:stage="$STAGE" $BASELINE -o stage.out`,
    `export APPROVAL_NEEDED=$(node -p "const f='stage.out/plan/${platformName}-review.json'; require('fs').existsSync(f) ? String(require('./' + f).approvalNeeded) : 'false'")`,
    `if [ -f stage.out/plan/${platformName}-changes.md ]; then cat stage.out/plan/${platformName}-changes.md; fi`,
    'echo "Approval needed: $APPROVAL_NEEDED"',
    'aws s3 sync stage.out "s3://$BASELINE_BUCKET/$STAGE/pending/$EXECUTION_ID/" --delete --only-show-errors',
  ];
}

/** What a stage's verification step checks, all named at synth time. */
export interface VerifyTargets {
  /** The bootstrap lookup role of the stage's account (read-only). */
  readonly lookupRoleArn: string;
  readonly clusterName: string;
  /** The platform's monitoring stack, whose alarms must not be in ALARM after the deploy. */
  readonly monitoringStack: string;
  /** State machine ARNs of the data pipelines. */
  readonly stateMachineArns: string[];
}

/**
 * Commands of a stage's verification step, run with the stage account's read-only bootstrap lookup role
 * (`cdk-hnb659fds-lookup-role-*`, ReadOnlyAccess): the cluster, its node groups and EKS add-ons ACTIVE, each load
 * balancer target group the cluster's controller made (the inference front doors) with a healthy target, each data
 * pipeline's state machine ACTIVE with a definition that parses, and none of the platform's alarms in ALARM. Then,
 * with the build's own role again, the stage's assembly becomes the baseline of the next run's change report.
 */
export function verifyCommands(t: VerifyTargets): string[] {
  const fail = (what: string) => `{ echo "FAIL: ${what}"; exit 1; }`;
  return [
    `CREDS=$(aws sts assume-role --role-arn ${t.lookupRoleArn} --role-session-name "verify-$STAGE" --query Credentials --output json)`,
    'export AWS_ACCESS_KEY_ID=$(node -p "JSON.parse(process.argv[1]).AccessKeyId" "$CREDS") AWS_SECRET_ACCESS_KEY=$(node -p "JSON.parse(process.argv[1]).SecretAccessKey" "$CREDS") AWS_SESSION_TOKEN=$(node -p "JSON.parse(process.argv[1]).SessionToken" "$CREDS") AWS_REGION="$STAGE_REGION"',
    `STATUS=$(aws eks describe-cluster --name ${t.clusterName} --query cluster.status --output text); echo "cluster ${t.clusterName}: $STATUS"; [ "$STATUS" = ACTIVE ] || ${fail('the cluster is not ACTIVE')}`,
    `for NG in $(aws eks list-nodegroups --cluster-name ${t.clusterName} --query nodegroups --output text); do S=$(aws eks describe-nodegroup --cluster-name ${t.clusterName} --nodegroup-name "$NG" --query nodegroup.status --output text); echo "node group $NG: $S"; [ "$S" = ACTIVE ] || ${fail('node group $NG is not ACTIVE')}; done`,
    `for AO in $(aws eks list-addons --cluster-name ${t.clusterName} --query addons --output text); do S=$(aws eks describe-addon --cluster-name ${t.clusterName} --addon-name "$AO" --query addon.status --output text); echo "add-on $AO: $S"; [ "$S" = ACTIVE ] || ${fail('add-on $AO is not ACTIVE')}; done`,
    `for TG in $(aws resourcegroupstaggingapi get-resources --resource-type-filters elasticloadbalancing:targetgroup --tag-filters Key=elbv2.k8s.aws/cluster,Values=${t.clusterName} --query "ResourceTagMappingList[].ResourceARN" --output text); do H=$(aws elbv2 describe-target-health --target-group-arn "$TG" --query "length(TargetHealthDescriptions[?TargetHealth.State=='healthy'])" --output text); echo "target group $TG: $H healthy"; [ "$H" -ge 1 ] || ${fail('no healthy target behind $TG')}; done`,
    ...t.stateMachineArns.map(
      (arn) =>
        `aws stepfunctions describe-state-machine --state-machine-arn ${arn} --output json > sm.json && node -e "const m=require('./sm.json'); const d=JSON.parse(m.definition); if (m.status !== 'ACTIVE' || !d.StartAt || !d.States[d.StartAt]) { console.error('FAIL: ${arn} is ' + m.status + ' or its definition has no start state'); process.exit(1) } console.log('state machine ${arn}: ' + m.status)"`,
    ),
    `ALARMS=$(aws cloudformation describe-stack-resources --stack-name ${t.monitoringStack} --query "StackResources[?ResourceType=='AWS::CloudWatch::Alarm'].PhysicalResourceId" --output text)`,
    `if [ -n "$ALARMS" ]; then FIRING=$(aws cloudwatch describe-alarms --alarm-names $ALARMS --state-value ALARM --query "MetricAlarms[].AlarmName" --output text); [ -z "$FIRING" ] || ${fail('alarms in ALARM after the deploy: $FIRING')}; fi`,
    'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION',
    'aws s3 sync "s3://$BASELINE_BUCKET/$STAGE/pending/$EXECUTION_ID/" "s3://$BASELINE_BUCKET/$STAGE/deployed/" --delete --only-show-errors',
  ];
}
