import { CustomResource, Duration, Lazy, Stack, Validations } from 'aws-cdk-lib';
import type * as emrserverless from 'aws-cdk-lib/aws-emrserverless';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeGrantWildcards, acknowledgeIamFindings } from '../../core/acknowledge';

/** Longest a stop may wait for job runs to end: the Provider framework's maximum total timeout ("The maximum timeout is 1 hour"). */
export const STOP_WAIT = Duration.hours(1);

/** What the stopper acts on. */
export interface ApplicationStopperProps {
  readonly application: emrserverless.CfnApplication;
  /** The application's name, known at synth (the before-update stopper cannot reference the application). */
  readonly applicationName: string;
  /** The properties the application is created with, before tags (the stopper copies them, tags added). */
  readonly applicationProperties: emrserverless.CfnApplicationProps;
}

/**
 * Brings an EMR Serverless application to STOPPED before CloudFormation updates or deletes it.
 *
 * The service accepts UpdateApplication and DeleteApplication only in CREATED or STOPPED ("An application has to be
 * in a stopped or created state in order to be updated/deleted", EMR Serverless API reference), and the
 * AWS::EMRServerless::Application handler does not stop it first: a tag change on a STARTED application fails with
 * "Only MaxConcurrentRuns from SchedulerConfiguration can be updated when application is in STARTED state"
 * (aws-cloudformation/cloudformation-coverage-roadmap#2370, aws/aws-cdk#35488). An application with auto-start is
 * STARTED during every run and for 15 idle minutes after it. So two custom resources:
 * - `StopBeforeUpdate`, which the application depends on, and whose properties are the application's own (tags
 *   included), so CloudFormation updates it, and it stops the application, right before every application update.
 *   It cannot reference the application that depends on it, so it finds it by name (old and new, for a rename).
 * - `StopBeforeDelete`, which depends on the application, so CloudFormation deletes it, and it stops the application,
 *   right before the application is deleted (a removed pipeline, a deleted stack).
 *
 * A job run in progress: StopApplication does not cancel runs; "All scheduled and running jobs must be completed or
 * cancelled before stopping an application" (API reference, StopApplication), so it is refused while one runs. The
 * stopper never cancels a run (a cancelled Spark job can leave partial output in the target zone): it retries every
 * 30 seconds until the runs end, for at most {@link STOP_WAIT}, then fails ("Operation timed out"; the IsComplete
 * function's log names the application and the service's refusal) before CloudFormation has touched the
 * application, so the stack rolls back cleanly; deploy again once the runs have ended, or cancel them.
 *
 * Limits: a run started between the stop and CloudFormation's call (a schedule or an arrival) starts the application
 * again and the update still fails; property overrides (`addPropertyOverride`) are not copied; the deploy that adds
 * the stopper to an existing pipeline cannot stop it yet (its permission names the application and is created after).
 */
export class ApplicationStopper extends Construct {
  public readonly beforeUpdate: CustomResource;
  public readonly beforeDelete: CustomResource;
  /** The role of the stopper's functions, shared by every stopper of the stack. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ApplicationStopperProps) {
    super(scope, id);
    const { application } = props;
    const shared = StopperProvider.of(this);
    this.role = shared.role;
    // Get and stop name this application only: a small policy of its own on the shared role (one statement per
    // pipeline; 20 pipelines stay far below IAM's 10,240 characters per role), which depends on the application,
    // so the functions (which the application depends on, through BeforeUpdate) do not.
    const appPolicy = new iam.Policy(this, 'ApplicationPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['emr-serverless:GetApplication', 'emr-serverless:StopApplication'],
          resources: [application.attrArn],
        }),
      ],
    });

    // New IDs for the shared provider: CloudFormation refuses to change a custom resource's ServiceToken ("Updates
    // aren't supported", AWS::CloudFormation::CustomResource), so a stopper of the per-pipeline provider is replaced
    // by a new resource (the old before-delete one, deleted after the update, only stops the application once).
    const resourceType = 'Custom::EmrServerlessApplicationStopper';
    this.beforeUpdate = new CustomResource(this, 'StopBeforeUpdate', {
      serviceToken: shared.serviceToken,
      resourceType,
      properties: {
        Mode: 'before-update',
        ApplicationName: props.applicationName,
        // Change detection only: CloudFormation compares the resolved values, referenced ones included.
        Application: Lazy.any({
          produce: () => ({ ...props.applicationProperties, tags: application.tags.renderTags() }),
        }),
      },
    });
    application.node.addDependency(this.beforeUpdate);
    this.beforeDelete = new CustomResource(this, 'StopBeforeDelete', {
      serviceToken: shared.serviceToken,
      resourceType,
      properties: {
        Mode: 'before-delete',
        ApplicationName: props.applicationName,
        ApplicationId: application.attrApplicationId,
      },
    });
    this.beforeDelete.node.addDependency(application, appPolicy);
  }
}

/**
 * The stopper's functions and provider, one per stack (found by its construct ID on the stack): a pipeline adds only
 * its two custom resources and one policy statement, not 5 functions and a state machine.
 */
class StopperProvider extends Construct {
  public static of(scope: Construct): StopperProvider {
    const stack = Stack.of(scope);
    return (
      (stack.node.tryFindChild(STOPPER_PROVIDER_ID) as StopperProvider | undefined) ??
      new StopperProvider(stack, STOPPER_PROVIDER_ID)
    );
  }

  public readonly role: iam.Role;
  public readonly serviceToken: string;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      description: 'Stops EMR Serverless applications of this stack before CloudFormation updates or deletes them',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
    // ListApplications takes no resource (Service Authorization Reference, EMR Serverless: no resource type).
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['emr-serverless:ListApplications'], resources: ['*'] }),
    );

    const code = lambda.Code.fromInline(HANDLER);
    const fn = (fid: string, handler: string) =>
      new lambda.Function(this, fid, {
        code,
        handler,
        runtime: lambda.determineLatestNodeRuntime(this),
        timeout: Duration.minutes(1),
        role: this.role,
        description: 'Stops an EMR Serverless application before CloudFormation changes it',
      });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: fn('OnEvent', 'index.onEvent'),
      isCompleteHandler: fn('IsComplete', 'index.isComplete'),
      queryInterval: Duration.seconds(30),
      totalTimeout: STOP_WAIT,
    });
    this.serviceToken = provider.serviceToken;

    acknowledgeIamFindings(this, {
      managedPolicies: 'AWSLambdaBasicExecutionRole: the stopper and provider functions only write their own logs',
    });
    acknowledgeGrantWildcards(
      this.role,
      { resources: ['*'], actions: [] },
      'emr-serverless:ListApplications takes no resource (Service Authorization Reference); stopping names each application only',
    );
    acknowledgeIamFindings(provider, {
      wildcards: 'The provider framework invokes its own handler versions (<handler ARN>:*)',
    });
    Validations.of(provider).acknowledge(
      { id: 'AwsSolutions-L1', reason: 'The provider framework runtime is chosen and upgraded by aws-cdk-lib' },
      {
        id: 'AwsSolutions-SF1',
        reason: "The provider waiter only calls IsComplete every 30 seconds; what it does is in the functions' logs",
      },
      {
        id: 'AwsSolutions-SF2',
        reason: 'The provider waiter (aws-cdk-lib) offers no X-Ray option; it only polls IsComplete',
      },
    );
  }
}

/** The construct ID of the stack's one stopper provider. */
const STOPPER_PROVIDER_ID = 'EmrServerlessApplicationStopper';

/**
 * The handlers (Node.js, AWS SDK v3 from the runtime). onEvent acts in mode before-update on Update (a Create
 * precedes the application or predates the permission) and in mode before-delete on Delete; isComplete stops the
 * application until it is STOPPED or CREATED (or gone), retrying while job runs refuse the stop.
 */
const HANDLER = `
const E = require('@aws-sdk/client-emr-serverless');
const emr = new E.EMRServerlessClient({});
const LIVE = ['CREATING', 'CREATED', 'STARTING', 'STARTED', 'STOPPING', 'STOPPED'];
const acts = (e) => e.ResourceProperties.Mode === 'before-update' ? e.RequestType === 'Update' : e.RequestType === 'Delete';
async function idsOf(e) {
  const p = e.ResourceProperties;
  if (p.ApplicationId) return [p.ApplicationId];
  const names = new Set([p.ApplicationName, (e.OldResourceProperties || {}).ApplicationName]);
  const ids = [];
  let nextToken;
  do {
    const r = await emr.send(new E.ListApplicationsCommand({ states: LIVE, nextToken }));
    for (const a of r.applications || []) if (names.has(a.name)) ids.push(a.id);
    nextToken = r.nextToken;
  } while (nextToken);
  return ids;
}
async function stopped(id) {
  let state;
  try { state = (await emr.send(new E.GetApplicationCommand({ applicationId: id }))).application.state; }
  catch (err) { if (err.name === 'ResourceNotFoundException') return true; throw err; }
  if (['CREATED', 'STOPPED', 'TERMINATED'].includes(state)) return true;
  if (state === 'STARTED') {
    try { await emr.send(new E.StopApplicationCommand({ applicationId: id })); }
    catch (err) { if (err.name !== 'ValidationException') throw err; console.log(id + ' refused to stop (job runs in progress?): ' + err.message); }
  }
  return false;
}
exports.onEvent = async (e) => {
  const ids = acts(e) ? await idsOf(e) : [];
  console.log((acts(e) ? 'stopping ' : 'nothing to stop: ') + e.ResourceProperties.ApplicationName + ' ' + ids.join(','));
  return { PhysicalResourceId: e.PhysicalResourceId || e.LogicalResourceId, Data: { Ids: ids.join(',') } };
};
exports.isComplete = async (e) => {
  const ids = e.Data.Ids ? e.Data.Ids.split(',') : [];
  let done = true;
  for (const id of ids) done = (await stopped(id)) && done;
  return { IsComplete: done };
};
`;
