import { Token } from 'aws-cdk-lib';
import type { Problem } from '../core/problems';

/** When a training job runs by itself: a Kubernetes CronJob schedule in a time zone. */
export interface TrainingSchedule {
  /**
   * Standard five-field cron (`minute hour day-of-month month day-of-week`, e.g. `0 3 * * 0`) or a descriptor
   * (`@daily`, `@weekly`, ...), as the CronJob controller parses it.
   */
  readonly cron: string;
  /** IANA time zone name (`Europe/Berlin`). @default 'Etc/UTC' */
  readonly timeZone?: string;
}

/**
 * The command that starts a run by hand: a Job from the training job's CronJob (which a manual job keeps suspended;
 * `kubectl create job --from=cronjob/<name>`, kubectl reference), named with the run id: here the UTC minute.
 */
export function manualStartCommand(name: string, namespace: string): string {
  return `kubectl -n ${namespace} create job --from=cronjob/${name} ${name}-$(date -u +%Y%m%d%H%M)`;
}

/** The time zone of a schedule that names none. */
export const DEFAULT_SCHEDULE_TIME_ZONE = 'Etc/UTC';

// Fields of a standard cron expression with their ranges and names (robfig/cron v3 parser.go ParseStandard, which
// Kubernetes uses: pkg/apis/batch/validation/validation.go validateScheduleFormat).
const FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Why one cron field is invalid, or undefined. */
function fieldProblem(text: string, f: (typeof FIELDS)[number]): string | undefined {
  const value = (v: string): number | undefined => {
    const named = f.names?.indexOf(v.toLowerCase()) ?? -1;
    if (named >= 0) return named + f.min;
    return /^\d+$/.test(v) ? Number(v) : undefined;
  };
  for (const part of text.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step))) return `bad step in '${part}'`;
    if (range === '*' || range === '?') continue;
    const [lo, hi, more] = range.split('-');
    const [a, b] = [value(lo), hi === undefined ? value(lo) : value(hi)];
    if (more !== undefined || a === undefined || b === undefined) return `'${part}' is not a number, range or name`;
    if (a < f.min || b > f.max || a > b) return `'${part}' is outside ${f.min}-${f.max}`;
  }
  return undefined;
}

/**
 * Problems of a schedule, as the API server checks a CronJob (pkg/apis/batch/validation/validation.go
 * validateScheduleFormat and validateTimeZone): a standard cron expression without `TZ=`/`CRON_TZ=` (the time
 * zone is its own field), and a time zone the IANA database knows, not `Local`.
 */
export function scheduleProblems(field: string, schedule: TrainingSchedule | undefined): Problem[] {
  if (!schedule) return [];
  const out: Problem[] = [];
  const { cron, timeZone } = schedule;
  if (!Token.isUnresolved(cron)) {
    const text = String(cron ?? '').trim();
    const parts = text.split(/\s+/);
    const why = text.includes('TZ')
      ? 'cannot name a time zone (TZ= or CRON_TZ=): use timeZone'
      : text.startsWith('@')
        ? DESCRIPTORS.includes(text)
          ? undefined
          : `is not a descriptor (${DESCRIPTORS.join(', ')})`
        : parts.length !== 5
          ? `has ${parts.length} fields; a cron expression has 5 (minute hour day-of-month month day-of-week)`
          : parts
              .map((p, i) => {
                const problem = fieldProblem(p, FIELDS[i]);
                return problem && `${FIELDS[i].name}: ${problem}`;
              })
              .find((p) => p !== undefined);
    if (why) out.push({ field: `${field}.cron`, value: cron, message: `${why}, e.g. '0 3 * * 0' (Sundays 03:00)` });
  }
  if (timeZone !== undefined && !Token.isUnresolved(timeZone) && !isIanaTimeZone(timeZone))
    out.push({
      field: `${field}.timeZone`,
      value: timeZone,
      message: "must be an IANA time zone name (e.g. 'Europe/Berlin', 'Etc/UTC'), not 'Local'",
    });
  return out;
}

/**
 * Whether the IANA database (Node's ICU) knows the zone, spelled as the database spells it (Go's time.LoadLocation
 * opens a file of that name: a case-sensitive lookup on Linux); `Local` is refused as the API server refuses it.
 */
function isIanaTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.length === 0 || zone.toLowerCase() === 'local') return false;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    return resolved.toLowerCase() !== zone.toLowerCase() || resolved === zone;
  } catch {
    return false;
  }
}
