/** The names a pipeline gives its resources, with the limit each service sets (checked by `DataPipeline.check`). */
export function pipelineResourceNames(
  pipelineName: string,
): { name: string; value: string; max: number; source: string }[] {
  return [
    {
      name: 'EMR Serverless application name',
      value: pipelineName,
      max: 64,
      source: 'CreateApplication name, 1-64 characters',
    },
    { name: 'state machine name', value: pipelineName, max: 80, source: 'CreateStateMachine name, 1-80 characters' },
    {
      name: 'job log group name',
      value: jobLogGroupName(pipelineName),
      max: 512,
      source: 'CreateLogGroup, 1-512 characters',
    },
    {
      name: 'state machine log group name',
      value: stateMachineLogGroupName(pipelineName),
      max: 512,
      source: 'CreateLogGroup, 1-512 characters',
    },
  ];
}

export function jobLogGroupName(pipelineName: string): string {
  return `/aws/emr-serverless/${pipelineName}`;
}

/** Under /aws/vendedlogs/, as Step Functions recommends (keeps the log resource policy small). */
export function stateMachineLogGroupName(pipelineName: string): string {
  return `/aws/vendedlogs/states/${pipelineName}`;
}
