/** A team's business hours as the team form edits them: one opening range per weekday. */
export const DAYS = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
] as const;
export type Day = (typeof DAYS)[number][0];
export interface DayHours {
  open: boolean;
  from: string;
  to: string;
}
export type Week = Record<Day, DayHours>;

export const timeZones = (): string[] => {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? ['UTC', 'Europe/Berlin', 'America/New_York'];
};

export function weekOf(hours: Record<string, unknown> | null): Week {
  const week = {} as Week;
  for (const [d] of DAYS) {
    const ranges = (hours?.[d] as [string, string][] | undefined) ?? [];
    week[d] = ranges.length
      ? { open: true, from: ranges[0][0], to: ranges[ranges.length - 1][1] }
      : { open: false, from: '09:00', to: '17:00' };
  }
  return week;
}

/** One range per open day (the first start to the last end of what was stored). */
export function hoursOf(week: Week): Record<string, [string, string][]> {
  return Object.fromEntries(
    DAYS.filter(([d]) => week[d].open).map(([d]) => [d, [[week[d].from, week[d].to]]]),
  );
}
