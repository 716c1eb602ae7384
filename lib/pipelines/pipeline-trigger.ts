/** How a pipeline is started, besides by hand. */
export enum PipelineTriggerKind {
  /** On an EventBridge Scheduler expression. */
  SCHEDULE = 'schedule',
  /** When an object is created in a source zone (EventBridge `Object Created` from S3). */
  ON_ARRIVAL = 'on-arrival',
}

/**
 * What starts a `DataPipeline`'s state machine. Whatever starts it, the execution input is kept in the history
 * for tracing and the job ignores it, so a run started by hand with `{}` does the same work.
 */
export class PipelineTrigger {
  /**
   * On a schedule: `cron(minutes hours day-of-month month day-of-week year)`, `rate(value unit)` with unit
   * minute(s), hour(s) or day(s), or `at(yyyy-mm-ddThh:mm:ss)` once; evaluated in UTC by EventBridge Scheduler.
   */
  public static schedule(expression: string): PipelineTrigger {
    return new PipelineTrigger(PipelineTriggerKind.SCHEDULE, expression);
  }

  /**
   * When an object is created in `zone` (one of the pipeline's sources) under `prefix`. Every object starts one
   * execution, but runs never overlap: an object that arrives while a run is going is read by the next run, which
   * waits in the application's queue until the current one ends; objects arriving while that next run still waits
   * end their executions `Skipped` (it will read them too). Point the prefix at a marker the producer writes last
   * (e.g. `reviews/_READY`) when a batch is many files and a run must not start half-way through one.
   * The zone's bucket must send its events to EventBridge (a DataLake's zones do by default).
   * @param prefix @default - any key in the zone
   */
  public static onArrival(zone: string, prefix?: string): PipelineTrigger {
    return new PipelineTrigger(PipelineTriggerKind.ON_ARRIVAL, undefined, zone, prefix);
  }

  public readonly kind: PipelineTriggerKind;
  /** The schedule expression (SCHEDULE only). */
  public readonly expression?: string;
  /** The source zone watched (ON_ARRIVAL only). */
  public readonly zone?: string;
  /** The key prefix watched (ON_ARRIVAL only). */
  public readonly prefix?: string;

  private constructor(kind: PipelineTriggerKind, expression?: string, zone?: string, prefix?: string) {
    this.kind = kind;
    this.expression = expression;
    this.zone = zone;
    this.prefix = prefix;
  }
}
