/**
 * Reporting periods in UTC (the KPI buckets are UTC days, Monday weeks and months): presets,
 * the previous period of equal length, and the URL form (`?period=custom&from=…&to=…`, both
 * dates inclusive days, so a link names exactly what is on screen).
 */
export type PeriodPreset =
  | 'this_week'
  | 'last_4_weeks'
  | 'this_quarter'
  | 'this_month'
  | 'last_month'
  | 'last_quarter'
  | 'custom';

export interface Period {
  preset: PeriodPreset;
  /** Inclusive start, 00:00 UTC. */
  from: Date;
  /** Exclusive end, 00:00 UTC. */
  to: Date;
}

export const PRESET_LABELS: Record<PeriodPreset, string> = {
  this_week: 'This week',
  last_4_weeks: 'Last 4 weeks',
  this_quarter: 'This quarter',
  this_month: 'This month',
  last_month: 'Last month',
  last_quarter: 'Last quarter',
  custom: 'Custom',
};

const DAY = 86_400_000;

export const startOfUtcDay = (d: Date) =>
  new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/** Monday 00:00 UTC of the week holding d. */
export function startOfUtcWeek(d: Date): Date {
  const day = startOfUtcDay(d);
  return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY);
}

const monthStart = (y: number, m: number) => new Date(Date.UTC(y, m, 1));

export function presetPeriod(preset: Exclude<PeriodPreset, 'custom'>, now: Date): Period {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const q = Math.floor(m / 3) * 3;
  const week = startOfUtcWeek(now);
  switch (preset) {
    case 'this_week':
      return { preset, from: week, to: new Date(week.getTime() + 7 * DAY) };
    case 'last_4_weeks':
      // the four whole weeks before this one: comparable, and answered from the weekly cells
      return { preset, from: new Date(week.getTime() - 28 * DAY), to: week };
    case 'this_quarter':
      return { preset, from: monthStart(y, q), to: monthStart(y, q + 3) };
    case 'this_month':
      return { preset, from: monthStart(y, m), to: monthStart(y, m + 1) };
    case 'last_month':
      return { preset, from: monthStart(y, m - 1), to: monthStart(y, m) };
    case 'last_quarter':
      return { preset, from: monthStart(y, q - 3), to: monthStart(y, q) };
  }
}

/** The period of the same length just before (as the api's retentionSummary.previous). */
export function previousPeriod(p: { from: Date; to: Date }): { from: Date; to: Date } {
  const len = p.to.getTime() - p.from.getTime();
  return { from: new Date(p.from.getTime() - len), to: p.from };
}

export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Parses `?period=…&from=YYYY-MM-DD&to=YYYY-MM-DD` (to inclusive); falls back to the preset. */
export function periodFromSearch(
  search: URLSearchParams,
  fallback: Exclude<PeriodPreset, 'custom'>,
  allowed: readonly PeriodPreset[],
  now: Date,
): Period {
  const preset = search.get('period') as PeriodPreset | null;
  if (preset === 'custom') {
    const from = parseDay(search.get('from'));
    const last = parseDay(search.get('to'));
    if (from && last && last >= from) return { preset, from, to: new Date(last.getTime() + DAY) };
  } else if (preset && preset !== ('custom' as string) && allowed.includes(preset)) {
    return presetPeriod(preset as Exclude<PeriodPreset, 'custom'>, now);
  }
  return presetPeriod(fallback, now);
}

export function periodToSearch(p: Period, search: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(search);
  next.set('period', p.preset);
  if (p.preset === 'custom') {
    next.set('from', isoDay(p.from));
    next.set('to', isoDay(new Date(p.to.getTime() - DAY)));
  } else {
    next.delete('from');
    next.delete('to');
  }
  return next;
}

function parseDay(v: string | null): Date | null {
  if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return null;
  const d = new Date(`${v}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

const dayFmt = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "1 Dec 2025 – 7 Dec 2025" (the last day shown inclusive). */
export function formatPeriod(p: { from: Date; to: Date }): string {
  const last = new Date(p.to.getTime() - DAY);
  if (last.getTime() <= p.from.getTime()) return dayFmt.format(p.from);
  return `${dayFmt.format(p.from)} – ${dayFmt.format(last)}`;
}

/** Days in the period (for choosing a trend grain). */
export const periodDays = (p: { from: Date; to: Date }) =>
  Math.round((p.to.getTime() - p.from.getTime()) / DAY);
