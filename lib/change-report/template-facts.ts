/** Facts read from CloudFormation templates, shared by the change report and the lifecycle suite. */

/**
 * Properties that give a resource its physical name. CloudFormation: "If you specify a name, you cannot
 * perform updates that require replacement of this resource" (template reference, Name type), because the
 * new resource is created, under the same name, before the old one is deleted.
 */
export const NAME_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::EKS::Nodegroup': ['NodegroupName'],
  'AWS::EKS::Cluster': ['Name'],
  'AWS::IAM::Role': ['RoleName'],
  'AWS::S3::Bucket': ['BucketName'],
  'AWS::SNS::Topic': ['TopicName'],
  'AWS::Athena::WorkGroup': ['Name'],
  'AWS::Glue::Database': ['DatabaseInput.Name'],
  'AWS::Glue::Table': ['TableInput.Name'],
  'AWS::Budgets::Budget': ['Budget.BudgetName'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::StepFunctions::StateMachine': ['StateMachineName'],
  'AWS::EMRServerless::Application': ['Name'],
  'AWS::Scheduler::Schedule': ['Name'],
  'AWS::CloudWatch::Dashboard': ['DashboardName'],
  'AWS::CloudWatch::Alarm': ['AlarmName'],
  'AWS::EC2::PlacementGroup': [],
  'AWS::KMS::Alias': ['AliasName'],
  'AWS::Lambda::Function': ['FunctionName'],
  'AWS::APS::Workspace': [],
  'AWS::Events::Rule': ['Name'],
  'AWS::SQS::Queue': ['QueueName'],
};

/** Export names (each as JSON, a name may be an intrinsic) a template imports with Fn::ImportValue. */
export function importsOf(template: any): string[] {
  const found: string[] = [];
  const walk = (v: any) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k === 'Fn::ImportValue') found.push(JSON.stringify(x));
        else walk(x);
      }
  };
  walk(template?.Resources);
  walk(template?.Outputs);
  return found;
}
