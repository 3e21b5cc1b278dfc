import {
  CHANNELS,
  PRIORITIES,
  TIERS,
  VALUE_SEGMENTS as SEGMENTS,
  badInput,
  forbidden,
} from '@staydesk/core';
import type { Actor } from '@staydesk/identity';

/** Time grains a KPI table can be grouped by (buckets in UTC; weeks start on Monday). */
export const GRAINS = ['day', 'week', 'month'] as const;
export type Grain = (typeof GRAINS)[number];
/** Non-time dimensions a KPI table can be grouped and filtered by. */
export const DIMS = ['team', 'agent', 'channel', 'priority', 'tier', 'segment'] as const;
export type Dim = (typeof DIMS)[number];
export const GROUP_KEYS = [...DIMS, ...GRAINS] as const;
export type GroupKey = (typeof GROUP_KEYS)[number];

export interface KpiFilterInput {
  from?: Date | null;
  to?: Date | null;
  teamIds?: string[] | null;
  agentIds?: string[] | null;
  channels?: string[] | null;
  priorities?: string[] | null;
  tiers?: string[] | null;
  valueSegments?: string[] | null;
  noValue?: string[] | null;
}

/** Validated filter: a half-open range [from, to) and, per dimension, the values kept (absent = all). */
export interface KpiFilter {
  from: Date;
  to: Date;
  values: Partial<Record<Dim, string[]>>;
  /**
   * Dimensions whose value must be absent (the group a table shows with a null key: unassigned,
   * no team, value segment unknown); absent or empty = no such condition.
   */
  none?: Dim[];
}

export interface Bucket {
  start: Date;
  end: Date;
  /** True when the bucket is a whole day/week/month (so the precomputed cells answer it). */
  full: boolean;
}

export interface KpiPlan {
  filter: KpiFilter;
  grain: Grain | null;
  dims: Dim[];
  /**
   * Key of the ticket custom field grouped by (`custom.<key>`; one bucket per value plus the
   * tickets without one), or null. Answered from the facts only (the cells keep no such groups).
   */
  custom?: string | null;
  buckets: Bucket[];
  /** The dimension of the precomputed cells that answer this query, or null when only facts can. */
  cellDim: Dim | 'all' | null;
}

const ID = /^[1-9]\d{0,17}$/;
const DAY_MS = 86_400_000;
/** At most this many time buckets in one table (e.g. 400 days by day). */
export const MAX_BUCKETS = 400;

/** Start of the UTC day/week (Monday)/month containing `at`. */
export function bucketStart(at: Date, grain: Grain): Date {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (grain === 'week') return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY_MS);
  if (grain === 'month') return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  return d;
}

/** The start of the bucket after the one starting at `start`. */
export function nextBucket(start: Date, grain: Grain): Date {
  if (grain === 'day') return new Date(start.getTime() + DAY_MS);
  if (grain === 'week') return new Date(start.getTime() + 7 * DAY_MS);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** Whole buckets of `grain` overlapping [from, to), clipped to the range (edge buckets may be partial). */
export function planBuckets(from: Date, to: Date, grain: Grain | null): Bucket[] {
  if (!grain) return [{ start: from, end: to, full: false }];
  const out: Bucket[] = [];
  for (let s = bucketStart(from, grain); s < to; s = nextBucket(s, grain)) {
    const e = nextBucket(s, grain);
    const start = s < from ? from : s;
    const end = e > to ? to : e;
    out.push({
      start,
      end,
      full: start.getTime() === s.getTime() && end.getTime() === e.getTime(),
    });
    if (out.length > MAX_BUCKETS) {
      throw badInput(
        'groupBy',
        `${grain} buckets over this range exceed ${MAX_BUCKETS}: use a coarser grain or a shorter range`,
      );
    }
  }
  return out;
}

/** Every bucket start of `grain` whose bucket overlaps [from, to]. */
export function bucketsBetween(from: Date, to: Date, grain: Grain): Date[] {
  const out: Date[] = [];
  for (let s = bucketStart(from, grain); s <= to; s = nextBucket(s, grain)) out.push(s);
  return out;
}

function validDate(d: Date | null | undefined, field: string): Date {
  if (d == null) throw badInput(field, 'is required: give both ends of the range');
  if (!(d instanceof Date) || Number.isNaN(d.getTime()))
    throw badInput(field, 'must be a date-time like 2026-07-01T00:00:00Z');
  return d;
}

function validList(
  values: string[] | null | undefined,
  field: string,
  allowed?: readonly string[],
): string[] | undefined {
  if (values == null) return undefined;
  if (values.length === 0) throw badInput(field, 'must not be empty (leave it out for all)');
  if (values.length > 200) throw badInput(field, 'at most 200 values');
  for (const v of values) {
    if (allowed ? !allowed.includes(v) : !ID.test(v)) {
      throw badInput(
        field,
        allowed ? `"${v}" is not one of ${allowed.join(', ')}` : `"${v}" is not an id`,
      );
    }
  }
  return [...new Set(values)];
}

/** Range and filter values checked: bounded, not inverted, at most `maxDays` long. */
export function validateFilter(input: KpiFilterInput, maxDays: number): KpiFilter {
  const from = validDate(input.from, 'filter.from');
  const to = validDate(input.to, 'filter.to');
  if (to.getTime() <= from.getTime())
    throw badInput('filter.to', 'must be after filter.from (the range is [from, to))');
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days > maxDays) {
    throw badInput(
      'filter.to',
      `the range is ${Math.ceil(days)} days; at most ${maxDays} days are allowed (KPI_MAX_RANGE_DAYS)`,
      { maxDays },
    );
  }
  const values: KpiFilter['values'] = {};
  const set = (dim: Dim, v: string[] | undefined) => {
    if (v) values[dim] = v;
  };
  set('team', validList(input.teamIds, 'filter.teamIds'));
  set('agent', validList(input.agentIds, 'filter.agentIds'));
  set('channel', validList(input.channels, 'filter.channels', CHANNELS));
  set('priority', validList(input.priorities, 'filter.priorities', PRIORITIES));
  set('tier', validList(input.tiers, 'filter.tiers', TIERS));
  set('segment', validList(input.valueSegments, 'filter.valueSegments', SEGMENTS));
  const none = validList(input.noValue, 'filter.noValue', DIMS) as Dim[] | undefined;
  const both = none?.find((d) => values[d]);
  if (both) {
    throw badInput(
      'filter.noValue',
      `"${both}" is both required to have no value and filtered by values: give one or the other`,
    );
  }
  return none ? { from, to, values, none } : { from, to, values };
}

/** Group key of a ticket custom field: `custom.<key>`. */
export const CUSTOM_GROUP = /^custom\.([a-z][a-z0-9_]{0,39})$/;

/** Group keys checked: known, no repeats, at most one time grain, at most one custom field. */
export function validateGroupBy(groupBy: string[] | null | undefined): {
  grain: Grain | null;
  dims: Dim[];
  custom?: string | null;
} {
  const keys = groupBy ?? [];
  const seen = new Set<string>();
  let grain: Grain | null = null;
  let custom: string | null = null;
  const dims: Dim[] = [];
  for (const k of keys) {
    const field = CUSTOM_GROUP.exec(k);
    if (field) {
      if (custom)
        throw badInput('groupBy', `group by one custom field at most (got ${custom} and ${k})`);
      custom = field[1];
      seen.add(k);
      continue;
    }
    if (!(GROUP_KEYS as readonly string[]).includes(k)) {
      throw badInput(
        'groupBy',
        `unknown group key "${k.slice(0, 60)}"; use any of ${GROUP_KEYS.join(', ')} or custom.<ticket field key>`,
      );
    }
    if (seen.has(k)) throw badInput('groupBy', `"${k}" is given twice`);
    seen.add(k);
    if ((GRAINS as readonly string[]).includes(k)) {
      if (grain)
        throw badInput('groupBy', `group by one time grain at most (got ${grain} and ${k})`);
      grain = k as Grain;
    } else dims.push(k as Dim);
  }
  return custom ? { grain, dims, custom } : { grain, dims };
}

/**
 * Limits the filter to what the actor may read: admins everything, team leads their own teams
 * (the teams they lead or belong to). Asking for another team is FORBIDDEN, not silently empty.
 */
export function scopeFilter(actor: Actor, filter: KpiFilter, ownTeams: string[]): KpiFilter {
  if (actor.role === 'admin') return filter;
  if (actor.role !== 'team_lead') throw forbidden(`a ${actor.role} may not read support KPIs`);
  if (ownTeams.length === 0) throw forbidden('you lead no team, so there are no KPIs to show you');
  if (filter.none?.includes('team'))
    throw forbidden(
      'tickets without a team are not in your teams, so a team lead cannot read them',
    );
  const asked = filter.values.team;
  if (asked) {
    const other = asked.find((t) => !ownTeams.includes(t));
    if (other) throw forbidden(`team ${other} is not one of your teams (${ownTeams.join(', ')})`);
    return filter;
  }
  return { ...filter, values: { ...filter.values, team: ownTeams } };
}

/**
 * Which precomputed cells can answer: every bucket needs a time grain, and at most one dimension
 * may be grouped or filtered (a filter without grouping only with a single value).
 */
export function cellDimension(
  grain: Grain | null,
  dims: Dim[],
  filter: KpiFilter,
  segmentCells = true,
): Dim | 'all' | null {
  if (!grain) return null;
  // the cells keep no group of absent values apart: such questions are answered from the facts
  if (filter.none?.length) return null;
  const involved = new Set<Dim>([...dims, ...(Object.keys(filter.values) as Dim[])]);
  if (involved.size === 0) return 'all';
  // segment cells exist for every bucket only after a rebuild has filled them (migration
  // 1765700000000); until then segment questions are answered from the facts
  if (involved.has('segment') && !segmentCells) return null;
  if (involved.size > 1) return null;
  const [dim] = [...involved];
  if (!dims.includes(dim) && filter.values[dim]!.length !== 1) return null;
  return dim;
}

export function plan(
  filter: KpiFilter,
  groupBy: { grain: Grain | null; dims: Dim[]; custom?: string | null },
  segmentCells = true,
): KpiPlan {
  const buckets = planBuckets(filter.from, filter.to, groupBy.grain);
  const out: KpiPlan = {
    filter,
    grain: groupBy.grain,
    dims: groupBy.dims,
    buckets,
    // a custom field's groups are not in the cells: answered from the facts
    cellDim: groupBy.custom
      ? null
      : cellDimension(groupBy.grain, groupBy.dims, filter, segmentCells),
  };
  if (groupBy.custom) out.custom = groupBy.custom;
  return out;
}

/** True when a question groups or filters by value segment. */
export function involvesSegment(dims: Dim[], filter: KpiFilter): boolean {
  return dims.includes('segment') || filter.values.segment !== undefined;
}

/** Percent with two decimals, null when the denominator is 0. */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10000) / 100 : null;
}

/** Which hours the durations of a group are in. */
export function hoursBasis(
  businessCount: number,
  count: number,
): 'business' | 'calendar' | 'mixed' | 'none' {
  if (count === 0) return 'none';
  if (businessCount === count) return 'business';
  if (businessCount === 0) return 'calendar';
  return 'mixed';
}
