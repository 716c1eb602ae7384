import { deepFreeze } from '../../catalog/deep-freeze';

/** A Kubernetes CronJob schedule: five-field cron (`minute hour day-of-month month day-of-week`) in a time zone. */
export interface ClusterCron {
  readonly cron: string;
  readonly timeZone: string;
}

/** EventBridge Scheduler evaluates the pipelines' expressions in UTC (DataPipeline sets no ScheduleExpressionTimezone). */
export const CLUSTER_SCHEDULE_TIME_ZONE = 'Etc/UTC';

const CRON = /^cron\((.*)\)$/;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
// robfig/cron v3, the CronJob controller's parser (training-schedule.ts), reads `,` `-` `*` `/`, numbers and JAN-DEC /
// SUN-SAT names, and `?` as `*` (Kubernetes "CronJob", Schedule syntax: "A question mark (?) in the schedule has the
// same meaning as an asterisk"); it has no `L`, `W` or `#`, which EventBridge has (Scheduler "Schedule types", cron).
const FIELD = /^[A-Za-z0-9*?,/#-]+$/;
/** L, W or # outside a month or day name (JUL, WED). */
const hasSpecial = (field: string) => /[LW#]/.test(field.toUpperCase().replace(/JUL|WED/g, ''));

/** How each refused form reads, for the message (the user's words, then what to do). */
export const CLUSTER_SCHEDULE_REFUSALS = deepFreeze({
  special:
    "uses L, W or #, which the cluster's CronJob (robfig/cron) cannot express: use a plain day-of-month or day-of-week, or engine spark",
  year: "names a year; the cluster's CronJob has no year field: use * there, or engine spark",
  rate: 'is a rate the cluster cannot run at the same interval: rate(n minutes) with n dividing 60, rate(n hours) with n dividing 24, or rate(1 day); or use a cron expression',
  at: "is a one-time schedule; the cluster's scheduler cannot start a one-time run: leave trigger out and start it by hand, or use engine spark",
} as const);

/**
 * An EventBridge Scheduler expression as a CronJob schedule with the same meaning, in UTC; or why there is none.
 * Call it on an expression EventBridge accepts (schedule-expression.ts scheduleProblems): it converts, it does not
 * re-check ranges.
 *
 * - `cron(min hour dom month dow year)`: `?` becomes `*`; the year must be `*`; day-of-week numbers 1-7 (SUN=1) become
 *   0-6 (SUN=0) in values, ranges, lists and steps (EventBridge Scheduler "Schedule types"; Kubernetes "CronJob",
 *   Schedule syntax: day of week 0-6, Sunday to Saturday); names stay.
 * - `rate(n unit)`: only where a clock-aligned cron runs at the same interval (a rate's phase is its creation time).
 * - `at(...)`: refused (a CronJob repeats).
 */
export function toClusterCron(expression: string): { cron?: ClusterCron; problem?: string } {
  const rate = RATE.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2].replace(/s$/, '');
    const cron =
      unit === 'minute' && 60 % n === 0
        ? n === 60
          ? '0 * * * *'
          : `*/${n} * * * *`
        : unit === 'hour' && 24 % n === 0
          ? n === 24
            ? '0 0 * * *'
            : `0 */${n} * * *`
          : unit === 'day' && n === 1
            ? '0 0 * * *'
            : undefined;
    return cron
      ? { cron: { cron, timeZone: CLUSTER_SCHEDULE_TIME_ZONE } }
      : { problem: CLUSTER_SCHEDULE_REFUSALS.rate };
  }
  if (expression.startsWith('at(')) return { problem: CLUSTER_SCHEDULE_REFUSALS.at };
  const m = CRON.exec(expression);
  const parts = m ? m[1].trim().split(/\s+/) : [];
  if (parts.length !== 6 || !parts.every((p) => FIELD.test(p)))
    return { problem: 'must be cron(minutes hours day-of-month month day-of-week year) or rate(value unit)' };
  const [minute, hour, dom, month, dow, year] = parts;
  if (parts.some(hasSpecial)) return { problem: CLUSTER_SCHEDULE_REFUSALS.special };
  if (year !== '*') return { problem: CLUSTER_SCHEDULE_REFUSALS.year };
  const star = (f: string) => (f === '?' ? '*' : f);
  const cron = [minute, hour, star(dom), month, star(dayOfWeek(dow))].join(' ');
  return { cron: { cron, timeZone: CLUSTER_SCHEDULE_TIME_ZONE } };
}

/** EventBridge's day-of-week (1-7, SUN=1) as robfig's (0-6, SUN=0): every number one less; names, `*` and steps stay. */
function dayOfWeek(field: string): string {
  return field
    .split(',')
    .map((part) => {
      const [range, step] = part.split('/');
      const shifted = range
        .split('-')
        .map((v) => (/^\d+$/.test(v) ? String(Number(v) - 1) : v))
        .join('-');
      return step === undefined ? shifted : `${shifted}/${step}`;
    })
    .join(',');
}
