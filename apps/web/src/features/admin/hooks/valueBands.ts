import type { ValueSegment } from '@/gql/graphql';

/** The segment names lowest first: the order bands must be given in. */
export const BAND_ORDER: ValueSegment[] = ['low', 'mid', 'high', 'top'];

export interface BandRow {
  segment: ValueSegment;
  used: boolean;
  minValue: number | string;
}

/** The form's rows (every segment, lowest first) from the saved bands. */
export function bandRows(saved: readonly { segment: ValueSegment; minValue: number }[]): BandRow[] {
  const defaults: Record<ValueSegment, number> = { low: 0, mid: 1000, high: 10000, top: 50000 };
  return BAND_ORDER.map((segment) => {
    const s = saved.find((b) => b.segment === segment);
    return {
      segment,
      used: saved.length === 0 || !!s,
      minValue: s?.minValue ?? defaults[segment],
    };
  });
}

/** The bands to send: the used rows, lowest first (the server validates the rest). */
export function bandsOf(rows: readonly BandRow[]) {
  return rows
    .filter((r) => r.used)
    .map((r) => ({
      segment: r.segment,
      minValue: r.minValue === '' ? Number.NaN : Number(r.minValue),
    }));
}

/**
 * Which row a server error belongs to: `bands[1].minValue` names the second band sent, i.e. the
 * second used row; `bands` alone is about the whole list.
 */
export function errorRow(field: string, rows: readonly BandRow[]): ValueSegment | 'bands' {
  const m = /^bands\[(\d+)\]/.exec(field);
  if (!m) return 'bands';
  return rows.filter((r) => r.used)[Number(m[1])]?.segment ?? 'bands';
}
