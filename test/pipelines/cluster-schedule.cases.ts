import { PipelineTrigger } from '../../lib/pipelines/pipeline-trigger';
import { RayPipeline } from '../../lib/pipelines/ray-pipeline';
import { CLUSTER_SCHEDULE_REFUSALS, toClusterCron } from '../../lib/pipelines/private/cluster-schedule';
import { scheduleProblems as cronJobProblems } from '../../lib/workloads/training-schedule';

// EventBridge Scheduler expressions (the Spark pipelines' `trigger.schedule`, evaluated in UTC) as the CronJob schedule
// of a Ray pipeline, with the same meaning: every row the converter must get right, and every form it must refuse.
const CONVERTED: [string, string][] = [
  ['cron(0 2 * * ? *)', '0 2 * * *'],
  ['cron(15 10 ? * MON-FRI *)', '15 10 * * MON-FRI'],
  ['cron(0 3 ? * 1 *)', '0 3 * * 0'], // SUN=1 in EventBridge, SUN=0 in Kubernetes
  ['cron(0 3 ? * 7 *)', '0 3 * * 6'], // SAT
  ['cron(0 3 ? * 2-6 *)', '0 3 * * 1-5'], // MON-FRI by number
  ['cron(0 3 ? * 1,7 *)', '0 3 * * 0,6'], // weekends
  ['cron(0 3 ? * 2/2 *)', '0 3 * * 1/2'], // MON, WED, FRI in both
  ['cron(0 3 ? * */2 *)', '0 3 * * */2'], // SUN, TUE, THU, SAT in both
  ['cron(0 3 ? * 2-6/2 *)', '0 3 * * 1-5/2'],
  ['cron(0 3 ? * MON-5 *)', '0 3 * * MON-4'], // a name stays, a number shifts
  ['cron(0/15 8-17 ? * MON-FRI *)', '0/15 8-17 * * MON-FRI'],
  ['cron(0 0 1 JAN,JUL ? *)', '0 0 1 JAN,JUL *'],
  ['cron(30 4 1,15 * ? *)', '30 4 1,15 * *'],
  ['cron(0 12 ? * WED *)', '0 12 * * WED'],
  ['rate(1 minute)', '*/1 * * * *'],
  ['rate(15 minutes)', '*/15 * * * *'],
  ['rate(60 minutes)', '0 * * * *'],
  ['rate(1 hour)', '0 */1 * * *'],
  ['rate(6 hours)', '0 */6 * * *'],
  ['rate(24 hours)', '0 0 * * *'],
  ['rate(1 day)', '0 0 * * *'],
];

const REFUSED: [string, string][] = [
  ['cron(0 2 L * ? *)', CLUSTER_SCHEDULE_REFUSALS.special],
  ['cron(0 2 15W * ? *)', CLUSTER_SCHEDULE_REFUSALS.special],
  ['cron(0 2 ? * 6L *)', CLUSTER_SCHEDULE_REFUSALS.special],
  ['cron(0 2 ? * 2#1 *)', CLUSTER_SCHEDULE_REFUSALS.special],
  ['cron(0 2 * * ? 2027)', CLUSTER_SCHEDULE_REFUSALS.year],
  ['cron(0 2 * * ? 2027-2030)', CLUSTER_SCHEDULE_REFUSALS.year],
  ['rate(7 minutes)', CLUSTER_SCHEDULE_REFUSALS.rate],
  ['rate(5 hours)', CLUSTER_SCHEDULE_REFUSALS.rate],
  ['rate(2 days)', CLUSTER_SCHEDULE_REFUSALS.rate],
  ['at(2027-01-01T00:00:00)', CLUSTER_SCHEDULE_REFUSALS.at],
];

describe('EventBridge schedule -> CronJob schedule (Etc/UTC)', () => {
  test.each(CONVERTED)('%s -> %s', (expression, cron) => {
    const result = toClusterCron(expression);
    expect(result).toEqual({ cron: { cron, timeZone: 'Etc/UTC' } });
    // The API server's check of a CronJob (training-schedule.ts) accepts every converted schedule.
    expect(cronJobProblems('schedule', result.cron)).toEqual([]);
  });

  test.each(REFUSED)('%s is refused', (expression, why) => {
    expect(toClusterCron(expression)).toEqual({ problem: why });
  });

  test('a name that holds L or W (JUL, WED) is a name, not a special value', () => {
    expect(toClusterCron('cron(0 0 1 JUL ? *)').cron?.cron).toBe('0 0 1 JUL *');
    expect(toClusterCron('cron(0 0 ? * WED *)').cron?.cron).toBe('0 0 * * WED');
  });

  test('RayPipeline.clusterSchedule: a schedule trigger only; none by hand or on arrival', () => {
    expect(RayPipeline.clusterSchedule(PipelineTrigger.schedule('cron(0 2 ? * 1 *)'))).toEqual({
      cron: '0 2 * * 0',
      timeZone: 'Etc/UTC',
    });
    expect(RayPipeline.clusterSchedule(undefined)).toBeUndefined();
    expect(RayPipeline.clusterSchedule(PipelineTrigger.onArrival('raw'))).toBeUndefined();
  });
});
