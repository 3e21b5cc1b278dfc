import { IANAZone } from 'luxon';

/** Parses one timestamp cell to epoch milliseconds, or null when it does not match. */
export type TimeParser = (value: string) => number | null;

export class TimeFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeFormatError';
  }
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

type Slot =
  | 'year'
  | 'year2'
  | 'month'
  | 'monthName'
  | 'day'
  | 'hour'
  | 'hour12'
  | 'ampm'
  | 'minute'
  | 'second'
  | 'fraction'
  | 'offset'
  | 'epochSeconds'
  | 'epochMillis';

/** Tokens (Luxon/Unicode style), longest first. */
const TOKENS: [string, Slot, string][] = [
  ['yyyy', 'year', '(\\d{4})'],
  ['yy', 'year2', '(\\d{2})'],
  ['MMM', 'monthName', '([A-Za-z]{3})'],
  ['MM', 'month', '(\\d{2})'],
  ['M', 'month', '(\\d{1,2})'],
  ['dd', 'day', '(\\d{2})'],
  ['d', 'day', '(\\d{1,2})'],
  ['HH', 'hour', '(\\d{2})'],
  ['H', 'hour', '(\\d{1,2})'],
  ['hh', 'hour12', '(\\d{2})'],
  ['h', 'hour12', '(\\d{1,2})'],
  ['a', 'ampm', '([AaPp][Mm])'],
  ['mm', 'minute', '(\\d{2})'],
  ['m', 'minute', '(\\d{1,2})'],
  ['ss', 'second', '(\\d{2})'],
  ['s', 'second', '(\\d{1,2})'],
  ['SSSSSS', 'fraction', '(\\d{6})'],
  ['SSS', 'fraction', '(\\d{3})'],
  ['S', 'fraction', '(\\d{1,9})'],
  ['ZZ', 'offset', '(Z|[+-]\\d{2}:\\d{2})'],
  ['Z', 'offset', '(Z|[+-]\\d{2}:?\\d{2}|[+-]\\d{2})'],
  ['X', 'epochSeconds', '(-?\\d+(?:\\.\\d+)?)'],
  ['x', 'epochMillis', '(-?\\d+)'],
];

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  offsetMinutes: number | null;
}

function offsetOf(s: string): number {
  if (s === 'Z' || s === 'z') return 0;
  const sign = s[0] === '-' ? -1 : 1;
  const digits = s.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (h * 60 + m);
}

const fractionMs = (digits: string) => Math.floor(Number((digits + '000').slice(0, 3)));

/**
 * Local wall time in a zone → UTC, with the zone's offsets cached per 15 minutes (the Intl call
 * behind an IANA offset costs microseconds; a million rows would spend seconds on it).
 */
function zoneResolver(zoneName: string): (wallMs: number) => number {
  if (/^(utc|z|gmt|etc\/utc)$/i.test(zoneName)) return (wall) => wall;
  const fixed = /^(?:UTC|GMT)?([+-]\d{2}(?::?\d{2})?)$/i.exec(zoneName);
  if (fixed) {
    const off = offsetOf(fixed[1]);
    return (wall) => wall - off * 60_000;
  }
  if (!IANAZone.isValidZone(zoneName)) {
    throw new TimeFormatError(
      `unknown time zone "${zoneName}" (use an IANA name like Europe/Amsterdam, or UTC, or an offset like +02:00)`,
    );
  }
  const zone = IANAZone.create(zoneName);
  const cache = new Map<number, number>();
  const offset = (utcMs: number) => {
    const key = Math.floor(utcMs / 900_000);
    let o = cache.get(key);
    if (o === undefined) {
      o = zone.offset(key * 900_000);
      if (cache.size > 100_000) cache.clear();
      cache.set(key, o);
    }
    return o;
  };
  return (wall) => {
    const o1 = offset(wall);
    let utc = wall - o1 * 60_000;
    const o2 = offset(utc);
    if (o2 !== o1) utc = wall - o2 * 60_000;
    return utc;
  };
}

function toEpoch(f: Fields, resolve: (wallMs: number) => number): number | null {
  if (
    f.month < 1 ||
    f.month > 12 ||
    f.day < 1 ||
    f.day > 31 ||
    f.hour > 23 ||
    f.minute > 59 ||
    f.second > 59
  ) {
    return null;
  }
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.ms);
  // Date.UTC rolls 31 February over to March: a day that does not exist is not a date.
  if (new Date(wall).getUTCDate() !== f.day) return null;
  return f.offsetMinutes === null ? resolve(wall) : wall - f.offsetMinutes * 60_000;
}

/**
 * Compiles a timestamp format once (tokens as in Luxon: yyyy MM dd HH mm ss SSS, hh a, MMM, Z,
 * X for epoch seconds, x for epoch milliseconds, 'quoted' literals; "iso" = ISO 8601) and a
 * time zone for values without an offset.
 */
export function compileTimeParser(format: string | undefined, timeZone = 'UTC'): TimeParser {
  const resolve = zoneResolver(timeZone);
  if (!format || format.toLowerCase() === 'iso') {
    return (value) => {
      const m = ISO.exec(value.trim());
      if (!m) return null;
      return toEpoch(
        {
          year: +m[1],
          month: +m[2],
          day: +m[3],
          hour: m[4] ? +m[4] : 0,
          minute: m[5] ? +m[5] : 0,
          second: m[6] ? +m[6] : 0,
          ms: m[7] ? fractionMs(m[7]) : 0,
          offsetMinutes: m[8] ? offsetOf(m[8].toUpperCase()) : null,
        },
        resolve,
      );
    };
  }
  const slots: Slot[] = [];
  let pattern = '';
  for (let i = 0; i < format.length;) {
    const ch = format[i];
    if (ch === "'") {
      const end = format.indexOf("'", i + 1);
      if (end < 0) throw new TimeFormatError(`time format "${format}": unclosed quote`);
      pattern += escape(format.slice(i + 1, end) || "'");
      i = end + 1;
      continue;
    }
    const token = TOKENS.find(([t]) => format.startsWith(t, i));
    if (token) {
      slots.push(token[1]);
      pattern += token[2];
      i += token[0].length;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      throw new TimeFormatError(
        `time format "${format}": unknown token "${ch}" (use yyyy MM dd HH mm ss SSS, hh a, MMM, Z, X, x; quote literal letters like 'T')`,
      );
    }
    pattern += escape(ch);
    i += 1;
  }
  const has = (s: Slot) => slots.includes(s);
  const epoch = has('epochSeconds') || has('epochMillis');
  if (!epoch && !((has('year') || has('year2')) && (has('month') || has('monthName')))) {
    throw new TimeFormatError(`time format "${format}" needs at least a year and a month`);
  }
  if (has('hour12') !== has('ampm')) {
    throw new TimeFormatError(`time format "${format}": hh (12-hour clock) goes with a (AM/PM)`);
  }
  const re = new RegExp(`^${pattern}$`);
  return (value) => {
    const m = re.exec(value.trim());
    if (!m) return null;
    const f: Fields = {
      year: 1970,
      month: 1,
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
      ms: 0,
      offsetMinutes: null,
    };
    let pm: boolean | null = null;
    for (let k = 0; k < slots.length; k++) {
      const v = m[k + 1];
      switch (slots[k]) {
        case 'epochSeconds':
          return Math.round(Number(v) * 1000);
        case 'epochMillis':
          return Number(v);
        case 'year':
          f.year = +v;
          break;
        case 'year2':
          f.year = 2000 + +v;
          break;
        case 'month':
          f.month = +v;
          break;
        case 'monthName': {
          const i = MONTHS.indexOf(v.toLowerCase());
          if (i < 0) return null;
          f.month = i + 1;
          break;
        }
        case 'day':
          f.day = +v;
          break;
        case 'hour':
          f.hour = +v;
          break;
        case 'hour12':
          f.hour = +v;
          if (f.hour < 1 || f.hour > 12) return null;
          break;
        case 'ampm':
          pm = v.toLowerCase() === 'pm';
          break;
        case 'minute':
          f.minute = +v;
          break;
        case 'second':
          f.second = +v;
          break;
        case 'fraction':
          f.ms = fractionMs(v);
          break;
        case 'offset':
          f.offsetMinutes = offsetOf(v);
          break;
      }
    }
    if (pm !== null) f.hour = (f.hour % 12) + (pm ? 12 : 0);
    return toEpoch(f, resolve);
  };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
}
