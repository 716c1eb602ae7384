import { Annotations, type Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IDataLakeRef } from '../data-lake/data-lake-ref';
import { pipelineProps } from '../definition/resolve-pipelines';
import type { ResolvedDefinition } from '../definition/resolved';
import type { PlatformNetwork } from '../network/platform-network';
import { DataPipeline } from '../pipelines/data-pipeline';

/**
 * `pipelines` onto DataPipeline, in the platform stack (they run in its VPC). They read and write the lake
 * through its exports and alarm to the monitoring stack's fixed-name topic, so adding, changing or removing
 * a pipeline never changes the data stack.
 */
export function mapPipelines(
  def: ResolvedDefinition,
  opts: {
    readonly stack: Stack;
    readonly lake: IDataLakeRef;
    readonly network: PlatformNetwork;
    readonly alarmTopicArn: string;
  },
): Record<string, DataPipeline> {
  if (def.pipelines.length === 0) return {};
  const alarmTopic = sns.Topic.fromTopicArn(opts.stack, 'AlarmTopic', opts.alarmTopicArn);
  return Object.fromEntries(
    def.pipelines.map((p) => {
      const pipeline = new DataPipeline(opts.stack, `Pipeline-${p.name}`, {
        ...pipelineProps(def.name, p),
        dataLake: opts.lake,
        vpc: opts.network.vpc,
        vpcSubnets: opts.network.nodeSubnets,
        alarmTopic,
      });
      // The definition raises this warning itself, under the pipeline's path, where acknowledgeWarnings can accept it.
      Annotations.of(pipeline).acknowledgeWarning(
        DataPipeline.CAPACITY_OVER_QUOTA_WARNING,
        'Raised by the definition under pipelines[].maxCapacity.vcpu',
      );
      return [p.name, pipeline];
    }),
  );
}
