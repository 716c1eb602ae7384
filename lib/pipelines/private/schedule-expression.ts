import { HOURS_PER_MONTH } from '../../catalog/prices';

// EventBridge Scheduler expressions ("Schedule types on EventBridge Scheduler"): cron has six fields
// (minutes hours day-of-month month day-of-week year); rate is `rate(value unit)` with unit minute(s), hour(s) or
// day(s); a one-time schedule is `at(yyyy-mm-ddThh:mm:ss)`. Day-of-month and day-of-week can't both be given:
// one of them is `?`.

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Special values besides numbers, ranges and steps. */
  readonly special: RegExp;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59, special: /^$/ },
  { name: 'hours', min: 0, max: 23, special: /^$/ },
  { name: 'day-of-month', min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS, special: /^$/ },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, special: /^(\?|L|[1-7]L|[1-7]#[1-5])$/ },
  { name: 'year', min: 1970, max: 2199, special: /^$/ },
];
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const AT = /^at\(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\)$/;
const CRON = /^cron\((.*)\)$/;

/** What is wrong with a schedule expression (messages without a field name); empty when it is valid. */
export function scheduleProblems(expression: string): string[] {
  if (RATE.test(expression)) {
    return Number(RATE.exec(expression)![1]) > 0 ? [] : ['must be rate(value unit) with a positive value'];
  }
  if (expression.startsWith('at(')) {
    if (!AT.test(expression)) return ['must be at(yyyy-mm-ddThh:mm:ss), e.g. at(2026-12-01T02:00:00)'];
    // A calendar date: Scheduler takes 2027-02-30 and it never comes.
    const [y, m, d] = expression.slice(3, 13).split('-').map(Number);
    return d <= daysIn(m, y) ? [] : ['names a date that does not exist; the schedule would never run'];
  }
  const cron = CRON.exec(expression);
  if (!cron) {
    return [
      'must be cron(minutes hours day-of-month month day-of-week year), rate(value minute|minutes|hour|hours|day|days) or at(yyyy-mm-ddThh:mm:ss)',
    ];
  }
  const parts = cron[1].trim().split(/\s+/);
  if (parts.length !== 6)
    return [`must have 6 cron fields (minutes hours day-of-month month day-of-week year); found ${parts.length}`];
  const problems = FIELDS.flatMap((f, i) =>
    fieldValid(parts[i], f)
      ? []
      : [
          `has an invalid ${f.name} field '${parts[i]}' (${f.min}-${f.max}${f.names ? ` or ${f.names[0]}-${f.names[f.names.length - 1]}` : ''}, with , - * /)`,
        ],
  );
  if ((parts[2] === '?') === (parts[4] === '?'))
    problems.push('must use ? in exactly one of day-of-month and day-of-week');
  return problems.length > 0 ? problems : calendarProblems(parts[2], parts[3]);
}

/** Days in a month; February has 29 when `year` is a leap year or unknown (a cron year field may include one). */
function daysIn(month: number, year?: number): number {
  if (month === 2) return year === undefined || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A cron whose numeric days-of-month exist in none of its months (cron(0 0 31 2 ? *)): EventBridge Scheduler
 * creates it and it never runs. L, LW and nW select a day in every month and are not checked.
 */
function calendarProblems(dom: string, month: string): string[] {
  const days = valuesOf(dom, FIELDS[2]);
  const months = valuesOf(month, FIELDS[3]);
  if (!days || !months || months.some((m) => days.some((d) => d <= daysIn(m)))) return [];
  return [`never runs: day-of-month ${dom} does not exist in ${months.map((m) => MONTHS[m - 1]).join(', ')}`];
}

/** The values a field selects, or undefined when it uses a special value (L, W, #, ?). */
function valuesOf(text: string, f: CronField): number[] | undefined {
  const values: number[] = [];
  for (const part of text.toUpperCase().split(',')) {
    const r = rangeOf(part, f);
    if (!r) return undefined;
    for (let v = r.from; v <= r.to; v += r.step) values.push(v);
  }
  return values;
}

/** Average runs in a month (730 hours) of a valid expression; a one-time `at(...)` schedule runs once. */
export function runsPerMonthOf(expression: string): number {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (rate[2].startsWith('minute')) return (HOURS_PER_MONTH * 60) / value;
    if (rate[2].startsWith('hour')) return HOURS_PER_MONTH / value;
    return DAYS_PER_MONTH / value;
  }
  if (expression.startsWith('at(')) return 1;
  const [minutes, hours, dom, month, dow] = CRON.exec(expression)![1].trim().split(/\s+/);
  const days =
    dom !== '?'
      ? dom === '*'
        ? DAYS_PER_MONTH
        : count(dom, FIELDS[2])
      : dow === '*'
        ? DAYS_PER_MONTH
        : (count(dow, FIELDS[4]) * DAYS_PER_MONTH) / 7;
  return count(minutes, FIELDS[0]) * count(hours, FIELDS[1]) * days * (count(month, FIELDS[3]) / 12);
}

function fieldValid(text: string, f: CronField): boolean {
  return text
    .toUpperCase()
    .split(',')
    .every((part) => f.special.test(part) || rangeOf(part, f) !== undefined);
}

/** How many values a field selects (special values such as L, 3W or 6#2 select one). */
function count(text: string, f: CronField): number {
  const size = f.max - f.min + 1;
  const total = text
    .toUpperCase()
    .split(',')
    .reduce((sum, part) => {
      if (part === '?') return sum + size;
      const r = rangeOf(part, f);
      return sum + (r ? Math.floor((r.to - r.from) / r.step) + 1 : 1);
    }, 0);
  return Math.min(total, size);
}

/** `*`, `v`, `a-b`, with an optional `/step`; undefined when out of range or malformed. */
function rangeOf(part: string, f: CronField): { from: number; to: number; step: number } | undefined {
  const m = /^(\*|[A-Z0-9]+(?:-[A-Z0-9]+)?)(?:\/(\d+))?$/.exec(part);
  if (!m) return undefined;
  const step = m[2] === undefined ? 1 : Number(m[2]);
  if (step < 1) return undefined;
  if (m[1] === '*') return { from: f.min, to: f.max, step };
  const [a, b] = m[1].split('-').map((v) => valueOf(v, f));
  if (a === undefined || (m[1].includes('-') && (b === undefined || b < a))) return undefined;
  // `5/15` runs from 5 to the end of the range.
  return { from: a, to: b ?? (m[2] === undefined ? a : f.max), step };
}

function valueOf(v: string, f: CronField): number | undefined {
  const named = f.names?.indexOf(v) ?? -1;
  const n = named >= 0 ? named + 1 : /^\d+$/.test(v) ? Number(v) : NaN;
  return n >= f.min && n <= f.max ? n : undefined;
}
