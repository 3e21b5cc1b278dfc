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

interface LocalParts {
  weekday: Weekday;
  minute: number; // minutes since local midnight
}

function localParts(at: Date, tz: string): LocalParts {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    weekday: parts.weekday.toLowerCase().slice(0, 3) as Weekday,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
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
): Date {
  let remaining = minutes;
  let cursor = new Date(start.getTime());
  for (let guard = 0; guard < 4000; guard++) {
    const { weekday, minute } = localParts(cursor, tz);
    const ranges = hours[weekday] ?? [];
    // the open range containing or following `minute` today
    const range = ranges
      .map(([a, b]) => [minutesOf(a), minutesOf(b)] as const)
      .find(([, b]) => b > minute);
    if (!range) {
      // jump to next local midnight (approximately; re-read the wall clock after)
      cursor = new Date(cursor.getTime() + (24 * 60 - minute) * 60_000);
      continue;
    }
    const [from, to] = range;
    if (minute < from) {
      cursor = new Date(cursor.getTime() + (from - minute) * 60_000);
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
): number {
  if (to <= from) return 0;
  let total = 0;
  let cursor = new Date(from.getTime());
  for (let guard = 0; guard < 100_000 && cursor < to; guard++) {
    const { weekday, minute } = localParts(cursor, tz);
    const range = (hours[weekday] ?? [])
      .map(([a, b]) => [minutesOf(a), minutesOf(b)] as const)
      .find(([, b]) => b > minute);
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
