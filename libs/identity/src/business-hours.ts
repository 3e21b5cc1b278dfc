import { badInput } from '@staydesk/core';

/** Weekly opening hours in a team's time zone: `{ mon: [["09:00", "17:00"]], … }`. */
export type WeeklyHours = Partial<Record<Weekday, [string, string][]>>;
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function validateTimezone(tz: string, field = 'timezone'): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw badInput(field, `"${tz}" is not an IANA time zone (e.g. Europe/Berlin)`);
  }
}

export function validateWeeklyHours(hours: unknown, field = 'businessHours'): WeeklyHours {
  if (typeof hours !== 'object' || hours === null || Array.isArray(hours)) {
    throw badInput(field, 'must be an object like {"mon": [["09:00", "17:00"]]}');
  }
  const out: WeeklyHours = {};
  let total = 0;
  for (const [day, ranges] of Object.entries(hours as Record<string, unknown>)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      throw badInput(field, `unknown day "${day}" (use ${WEEKDAYS.join(', ')})`);
    }
    if (!Array.isArray(ranges))
      throw badInput(field, `${day} must be a list of ["HH:MM", "HH:MM"] ranges`);
    const parsed: [string, string][] = [];
    let lastEnd = -1;
    for (const r of ranges) {
      if (
        !Array.isArray(r) ||
        r.length !== 2 ||
        !HHMM.test(String(r[0])) ||
        !HHMM.test(String(r[1]))
      ) {
        throw badInput(field, `${day} has a range that is not ["HH:MM", "HH:MM"]`);
      }
      const [from, to] = [minutesOf(r[0]), minutesOf(r[1])];
      if (to <= from) throw badInput(field, `${day} range ${r[0]}-${r[1]} ends before it starts`);
      if (from < lastEnd) throw badInput(field, `${day} ranges overlap or are not in order`);
      lastEnd = to;
      total += to - from;
      parsed.push([r[0], r[1]]);
    }
    out[day as Weekday] = parsed;
  }
  if (total === 0) throw badInput(field, 'must open for some time in the week');
  return out;
}

/** A closed day on a team's calendar, in the team's time zone. */
export interface Holiday {
  /** YYYY-MM-DD */
  date: string;
  name: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Checks a holiday list: real dates, a name each, no date twice; sorted by date. */
export function validateHolidays(holidays: unknown, field = 'holidays'): Holiday[] {
  if (!Array.isArray(holidays)) throw badInput(field, 'must be a list of { date, name }');
  if (holidays.length > 400) throw badInput(field, 'may list at most 400 holidays');
  const seen = new Set<string>();
  const out: Holiday[] = [];
  for (const h of holidays as { date?: unknown; name?: unknown }[]) {
    const date = String(h?.date ?? '').trim();
    const m = DATE.exec(date);
    const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
    if (!m || !d || d.toISOString().slice(0, 10) !== date) {
      throw badInput(field, `"${date}" is not a date like 2026-12-25`);
    }
    const name = String(h?.name ?? '').trim();
    if (!name) throw badInput(field, `the holiday on ${date} needs a name`);
    if (name.length > 100) throw badInput(field, `the name of the holiday on ${date} is too long`);
    if (seen.has(date)) throw badInput(field, `${date} is listed twice`);
    seen.add(date);
    out.push({ date, name });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}

interface LocalParts {
  weekday: Weekday;
  minute: number; // minutes since local midnight
  date: string; // YYYY-MM-DD, local
}

function localParts(at: Date, tz: string): LocalParts {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    weekday: parts.weekday.toLowerCase().slice(0, 3) as Weekday,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

/** The open ranges of a local day: none on a holiday. */
function rangesOn(hours: WeeklyHours, p: LocalParts, holidays?: ReadonlySet<string>) {
  if (holidays?.has(p.date)) return [];
  return (hours[p.weekday] ?? []).map(([a, b]) => [minutesOf(a), minutesOf(b)] as const);
}

/**
 * Adds `minutes` of business time to `start`, in the calendar's time zone, walking minute
 * ranges a day at a time (DST-safe: each step re-reads the local wall clock).
 */
export function addBusinessMinutes(
  start: Date,
  minutes: number,
  tz: string,
  hours: WeeklyHours,
  holidays?: ReadonlySet<string>,
): Date {
  let remaining = minutes;
  let cursor = new Date(start.getTime());
  for (let guard = 0; guard < 4000; guard++) {
    const local = localParts(cursor, tz);
    const { minute } = local;
    // the open range containing or following `minute` today (none on a holiday)
    const range = rangesOn(hours, local, holidays).find(([, b]) => b > minute);
    // jumps land on the whole minute (an opening, or midnight), not mid-minute
    const floor = cursor.getTime() - (cursor.getTime() % 60_000);
    if (!range) {
      // jump to next local midnight (approximately; re-read the wall clock after)
      cursor = new Date(floor + (24 * 60 - minute) * 60_000);
      continue;
    }
    const [from, to] = range;
    if (minute < from) {
      cursor = new Date(floor + (from - minute) * 60_000);
      continue;
    }
    const available = to - minute;
    if (remaining <= available) return new Date(cursor.getTime() + remaining * 60_000);
    remaining -= available;
    cursor = new Date(cursor.getTime() + available * 60_000);
  }
  throw new Error('business-hours calendar never opens');
}

/** Business minutes between two instants (for KPIs in business hours). */
export function businessMinutesBetween(
  from: Date,
  to: Date,
  tz: string,
  hours: WeeklyHours,
  holidays?: ReadonlySet<string>,
): number {
  if (to <= from) return 0;
  let total = 0;
  let cursor = new Date(from.getTime());
  for (let guard = 0; guard < 100_000 && cursor < to; guard++) {
    const local = localParts(cursor, tz);
    const { minute } = local;
    const range = rangesOn(hours, local, holidays).find(([, b]) => b > minute);
    const step = (m: number) => new Date(Math.min(cursor.getTime() + m * 60_000, to.getTime()));
    if (!range) {
      cursor = step(24 * 60 - minute);
      continue;
    }
    const [start, end] = range;
    if (minute < start) {
      cursor = step(start - minute);
      continue;
    }
    const next = step(end - minute);
    total += (next.getTime() - cursor.getTime()) / 60_000;
    cursor = next;
  }
  return Math.round(total);
}
