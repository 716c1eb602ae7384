import { deepFreeze } from '../catalog/deep-freeze';
import { SizeRoundingBehavior, type Size } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * Defaults of DataPipeline (reusable by the definition). Capacity: the EMR Serverless default account quota is 16
 * concurrent vCPUs (user guide, "Endpoints and quotas"), and 16 vCPU / 64 GB holds the Spark driver and three
 * executors of the service's default size (4 vCPU, 14 GB + 10% overhead, "Spark job properties").
 */
export const PIPELINE_DEFAULTS = deepFreeze({
  maxVcpu: 16,
  maxMemoryGiB: 64,
  runTimeoutMinutes: 120,
  /** The application stops after this long without jobs (the service's own default, "Understanding application behavior"). */
  idleTimeoutMinutes: 15,
  logRetention: logs.RetentionDays.THREE_MONTHS,
} as const);

/** EMR Serverless "Max concurrent vCPUs per account" default quota (L-D05C8A75, adjustable; user guide "Endpoints and quotas"). */
export const DEFAULT_VCPU_QUOTA = 16;

/** Size of the driver and of each executor the pipeline asks Spark for: the EMR Serverless defaults, made explicit. */
export const SPARK_WORKER = deepFreeze({ vcpu: 4, memoryGiB: 16, sparkMemory: '14g' } as const);

/** A pipeline's capacity with the defaults applied (the one place they are): whole vCPUs and GiB. */
export function capacityOf(capacity?: { readonly maxVcpu: number; readonly maxMemory: Size }): {
  maxVcpu: number;
  maxMemoryGiB: number;
} {
  return {
    maxVcpu: capacity?.maxVcpu ?? PIPELINE_DEFAULTS.maxVcpu,
    maxMemoryGiB:
      capacity?.maxMemory.toGibibytes({ rounding: SizeRoundingBehavior.NONE }) ?? PIPELINE_DEFAULTS.maxMemoryGiB,
  };
}
