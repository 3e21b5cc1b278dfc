// Over 400 lines: one service of the KPI read paths (plans, caches, scoping, refresh) sharing its state; a split is not part of the typed-SQL change (issue #21).
import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, AppConfig, TransactionRunner, Tx, badInput } from '@staydesk/core';
import { listFieldDefinitions } from '@staydesk/customers';
import type { Actor } from '@staydesk/identity';
import {
  Bucket,
  Dim,
  GRAINS,
  Grain,
  KpiFilterInput,
  KpiPlan,
  bucketStart,
  bucketsBetween,
  involvesSegment,
  nextBucket,
  plan,
  scopeFilter,
  validateFilter,
  validateGroupBy,
} from './kpi-plan';
import { NPS_COLUMN, NPS_DIMS } from './kpi-drill.repository';
import { DAY_SUM_COLUMNS, DAY_WEIGHT_COLUMNS, MetricHalf, mergeHalves } from './kpi-sql';
import {
  Dirty,
  FactProbe,
  KpiRow,
  KpisRepository,
  NextReplyRow,
  SurveyAnswers,
} from './kpis.repository';

/**
 * A segment shift behind up to this many facts queues the segment cells of the buckets those
 * facts count in; a larger one, every bucket's (at full size ~2 s of a refresh for 100k facts).
 */
const SEGMENT_REACH_FACTS = 100_000;
/** Tickets changed this long before the last run are read again (commits that landed late). */
const OVERLAP_MS = 2 * 60_000;
const CHUNK = 5000;
/**
 * Buckets recomputed per statement (a rebuild, and a refresh's dirty buckets), by grain: a week's
 * cells cost about 5× a day's and a month's about 20× (full size, 2M tickets: ~0.1, ~0.5 and
 * ~2 s each, linear in the number of buckets), so each statement stays near 4–6 s there, well
 * under the statement timeout a refresh runs with (64 weeks took 32 s, the whole history's 18
 * months 37 s: over the 30 s default, so a big customer's tier change made every refresh fail).
 */
const BUCKETS_PER_STATEMENT: Record<Grain, number> = { day: 64, week: 8, month: 2 };

export interface KpiTableRow extends KpiRow {
  periodStart: Date;
  periodEnd: Date;
  /** Next-reply figures (from the events; absent = none in this bucket and group). */
  nextReply?: Pick<NextReplyRow, 'n' | 'met' | 'mean' | 'p50' | 'p90'>;
  /** Where the figures came from: the precomputed cells or the per-ticket facts. */
  source: 'cells' | 'facts';
}

export interface KpiTable {
  from: Date;
  to: Date;
  groupBy: string[];
  rows: KpiTableRow[];
}

export interface RefreshResult {
  skipped?: boolean;
  rebuilt?: boolean;
  tickets: number;
  cells: Record<Grain, number>;
  ms: number;
  /** A segment shift queued by this run (customers, facts behind). */
  segmentShift?: { customers: number; facts: number };
  /** Steps of a queued segment shift applied after the run's transaction. */
  segmentSteps?: number;
}

export interface RebuildResult {
  facts: number;
  calendars: number;
  cells: Record<Grain, number>;
  ms: number;
}

/**
 * Support KPIs (DESIGN §4) for team leads: exact figures from per-ticket facts, answered from
 * precomputed day/week/month cells when the question lines up with them (see docs/kpis.md).
 */
/** Entries in the per-process cache of fact-computed partial buckets. */
const FACT_CACHE_ENTRIES = 200;

/** CES and NPS of a range, as surveyStats defines them (supportKpiSurveys). */
export interface KpiSurveyFigures extends SurveyAnswers {
  from: Date;
  to: Date;
  meanCes: number | null;
  nps: number | null;
}

@Injectable()
export class KpisService {
  /** Fact-computed partial buckets by plan and day-cell stamp (see {@link factRows}); oldest evicted first. */
  private readonly factCache = new Map<string, KpiRow[]>();
  /** Computations in flight by cache key: concurrent identical questions share one. */
  private readonly inFlight = new Map<string, Promise<KpiRow[]>>();
  /** Next-reply reads in flight by question: concurrent identical questions share one (not cached). */
  private readonly nextReplyInFlight = new Map<string, Promise<NextReplyRow[]>>();
  /** CES/NPS answers by question and KPI refresh (see {@link surveyFigures}); oldest evicted first. */
  private readonly surveyCache = new Map<string, Promise<SurveyAnswers>>();

  constructor(
    private readonly repo: KpisRepository,
    private readonly tx: TransactionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(KpisService.name) private readonly logger: PinoLogger,
  ) {}

  /** Validates and scopes a KPI question to what the actor may read. */
  async plan(
    actor: Actor,
    filter: KpiFilterInput,
    groupBy: string[] | null | undefined,
  ): Promise<KpiPlan> {
    const g = validateGroupBy(groupBy);
    if (g.custom) await this.checkCustomGroup(g.custom);
    let f = validateFilter(filter, this.config.kpi.maxRangeDays);
    const own = actor.role === 'team_lead' ? await this.repo.ownTeams(this.tx.db, actor.id) : [];
    f = scopeFilter(actor, f, own);
    const segmentCells =
      !involvesSegment(g.dims, f) || (await this.repo.segmentCellsAt(this.tx.db)) !== null;
    return plan(f, g, segmentCells);
  }

  /** `custom.<key>` groups by an active ticket field of type text, dropdown or checkbox. */
  private async checkCustomGroup(key: string): Promise<void> {
    const def = (await listFieldDefinitions(this.tx.db, 'ticket')).find((d) => d.key === key);
    if (!def || !def.active)
      throw badInput('groupBy', `there is no active ticket field "${key}" to group by`);
    if (!['text', 'dropdown', 'checkbox'].includes(def.type))
      throw badInput(
        'groupBy',
        `${def.label} is a ${def.type} field: group by text, dropdown or checkbox fields`,
      );
  }

  async supportKpis(
    actor: Actor,
    filter: KpiFilterInput,
    groupBy: string[] | null | undefined,
  ): Promise<KpiTable> {
    const p = await this.plan(actor, filter, groupBy);
    return {
      from: p.filter.from,
      to: p.filter.to,
      groupBy: groupBy ?? [],
      rows: await this.run(p),
    };
  }

  /**
   * CES and NPS answers given in the range (surveyStats' definitions), scoped like supportKpis,
   * by team and agent only (an NPS answer has no channel, priority, tier or segment). A quarter is
   * tens of thousands of answers joined to their tickets (~1 s at 2M tickets), so answers are
   * cached per process until the worker's next KPI refresh: the freshness the KPI cells have
   * (docs/kpis.md). Concurrent identical questions share one computation; before the first
   * refresh nothing is cached.
   */
  async surveyFigures(actor: Actor, filter: KpiFilterInput): Promise<KpiSurveyFigures> {
    const p = await this.plan(actor, filter, []);
    const { from, to, values, none = [] } = p.filter;
    const other = [...(Object.keys(values) as Dim[]), ...none].find((d) => !NPS_DIMS.includes(d));
    if (other)
      throw badInput(
        'filter',
        `survey answers (CES, NPS) are filtered by team or agent only, not by ${other}`,
      );
    const state = await this.repo.state(this.tx.db);
    const compute = () => this.repo.surveyAnswers(this.tx.db, from, to, values, none, NPS_COLUMN);
    let answers: SurveyAnswers;
    if (!state?.lastRunAt) answers = await compute();
    else {
      const key = JSON.stringify([state.lastRunAt.getTime(), from, to, values, none]);
      let work = this.surveyCache.get(key);
      if (!work) {
        work = compute();
        this.surveyCache.set(key, work);
        work.catch(() => this.surveyCache.delete(key));
        if (this.surveyCache.size > FACT_CACHE_ENTRIES)
          this.surveyCache.delete(this.surveyCache.keys().next().value!);
      }
      answers = await work;
    }
    const a = answers;
    return {
      from,
      to,
      ...a,
      meanCes: a.cesResponses ? a.cesSum / a.cesResponses : null,
      nps: a.npsResponses ? (100 * (a.promoters - a.detractors)) / a.npsResponses : null,
    };
  }

  /**
   * Runs a plan: whole buckets from the cells where they can answer, the rest from the facts.
   * With partial buckets, one statement first reads what finds their cache entry (now, the last
   * refresh, the day-cell stamps); then the cells, the next-reply figures and the partial buckets
   * (cached, shared with concurrent identical questions, or computed in transactions of their
   * own) are read at once, each on its own pool connection. No transaction around them: each
   * statement saw its own snapshot before as well (READ COMMITTED), and a request waiting for a
   * computation another request started holds no connection.
   */
  async run(p: KpiPlan): Promise<KpiTableRow[]> {
    const fromCells = p.cellDim ? p.buckets.filter((b) => b.full) : [];
    const fromFacts = p.buckets.filter((b) => !fromCells.includes(b));
    const db = this.tx.db;
    const probe = fromFacts.length > 0 ? await this.repo.factProbe(db, fromFacts) : null;
    const [cells, facts, nextReply] = await Promise.all([
      fromCells.length > 0
        ? this.repo.cellRows(
            db,
            p.grain!,
            p.cellDim!,
            p.cellDim === 'all' ? null : (p.filter.values[p.cellDim!] ?? null),
            fromCells.map((b) => b.start),
          )
        : [],
      probe ? this.factRows(p, fromFacts, probe) : [],
      this.nextReply(db, p, [...fromCells, ...fromFacts]),
    ]);
    const tag = (list: Bucket[], source: 'cells' | 'facts') => (r: KpiRow) => ({
      ...this.blankUngrouped(r, p.dims),
      periodStart: list[r.i - 1].start,
      periodEnd: list[r.i - 1].end,
      source,
    });
    const rows: KpiTableRow[] = [
      ...cells.map(tag(fromCells, 'cells')),
      ...facts.map(tag(fromFacts, 'facts')),
    ];
    const key = (r: KpiTableRow) =>
      [
        r.periodStart.getTime().toString().padStart(15, '0'),
        ...p.dims.map((d) => r[d] ?? ''),
        ...(p.custom ? [r.custom ?? ''] : []),
      ].join('|');
    this.addNextReply(p, [...fromCells, ...fromFacts], rows, key, nextReply);
    const keyed = rows.map((r) => [key(r), r] as const);
    keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return keyed.map(([, r]) => r);
  }

  /**
   * Partial buckets, computed from the facts (~200 ms of database time each at 2M tickets,
   * which 8 concurrent clients on 2 cores cannot afford; docs/kpis.md), and cached per process.
   * The cache key holds a stamp of the day cells the buckets cover (their count and latest
   * computation): the worker's refresh rewrites exactly the day cells whose days changed, so an
   * answer stays cached until a change lands in its own days, not until the next refresh (a
   * past quarter stays warm; a bucket that includes today is recomputed once per refresh).
   * Concurrent requests for the same key share one computation (the cold read of 8 clients is
   * one query, not eight).
   */
  private async factRows(p: KpiPlan, fromFacts: Bucket[], probe: FactProbe): Promise<KpiRow[]> {
    const { now, lastRunAt, segmentsAt, stamps } = probe;
    // before the worker's first refresh there are no cells to stamp the cache with: compute
    const cacheable = lastRunAt != null;
    const key = JSON.stringify([
      cacheable ? stamps : [],
      p.grain,
      p.dims,
      p.custom ?? null,
      p.cellDim,
      p.filter.values,
      p.filter.none ?? [],
      fromFacts.map((b) => [b.start.getTime(), b.end.getTime()]),
      // a bucket reaching past now changes as time passes even without new facts
      fromFacts.some((b) => b.end > now) ? lastRunAt?.getTime() : null,
      // a segment shift rewrites the facts' segments without their day cells
      involvesSegment(p.dims, p.filter) || p.filter.none?.includes('segment')
        ? (segmentsAt?.getTime() ?? 0)
        : null,
    ]);
    const hit = cacheable ? this.factCache.get(key) : undefined;
    if (hit) return hit;
    const running = cacheable ? this.inFlight.get(key) : undefined;
    if (running) return running;
    const work = this.computeEach(p, fromFacts, now, lastRunAt);
    if (!cacheable) return work;
    this.inFlight.set(key, work);
    try {
      const computed = await work;
      this.factCache.set(key, computed);
      if (this.factCache.size > FACT_CACHE_ENTRIES) {
        this.factCache.delete(this.factCache.keys().next().value!);
      }
      return computed;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /**
   * Partial buckets from the facts, in two halves at once (see MetricHalf), each in a transaction of its own
   * (work_mem for the percentiles' sorts, no JIT), so one question keeps both cores busy
   * whatever its buckets (two edge weeks in parallel left the shorter edge's core idle, and a
   * single bucket ran on one core); two connections at most per question. The statements are
   * cut as before (a quarter's two edge weeks one at a time, any other number of buckets in one
   * statement): a mean is a floating-point sum in the order the rows reach it, so the same rows
   * in one sort give the same figures to the last digit.
   */
  private async computeEach(
    p: KpiPlan,
    fromFacts: Bucket[],
    now: Date,
    lastRunAt: Date | null,
  ): Promise<KpiRow[]> {
    // the backlog at a day boundary is in that day's cell (a GiST count over the whole
    // backlog otherwise); other figures of partial buckets come from the facts
    const backlogDays = p.cellDim ? fromFacts.map((b) => backlogDay(b.end, now)) : [];
    const fromDays = backlogDays.length > 0 && backlogDays.every((d) => d !== null);
    const statements = fromFacts.length === 2 ? fromFacts.map((b) => [b]) : [fromFacts];
    if (fromDays && wholeRefreshedDays(fromFacts, lastRunAt)) {
      return this.computeWithDays(p, fromFacts, now, statements);
    }
    const half = (which: MetricHalf) =>
      this.tx.run(async (own) => {
        await this.repo.tune(own, '64MB');
        const rows: KpiRow[] = [];
        for (let k = 0; k < statements.length; k++) {
          rows.push(
            ...(await this.factStatementRows(own, p, statements, k, now, !fromDays, which)),
          );
        }
        return rows;
      });
    const [anchors, rest] = await Promise.all([half('anchors'), half('rest')]);
    const computed = mergeHalves(anchors, rest);
    if (fromDays) await this.backlogFromDays(this.tx.db, p, computed, backlogDays as Date[]);
    return computed;
  }

  /**
   * The facts' rows of one statement (the buckets `statements[k]`) for the plan's groups and
   * filters; numbered by statement (`i`) when the question takes more than one. (On the day
   * cells' path the plan has no "no value" filter and no custom field: `cellDimension`.)
   */
  private async factStatementRows(
    own: Tx,
    p: KpiPlan,
    statements: Bucket[][],
    k: number,
    now: Date,
    withBacklog: boolean,
    which: MetricHalf,
  ): Promise<KpiRow[]> {
    const buckets = statements[k];
    const part = await this.repo.computeRows(
      own,
      p.dims,
      p.filter.values,
      buckets.map((b) => b.start),
      buckets.map((b) => b.end),
      now,
      withBacklog,
      p.filter.none ?? [],
      p.custom ?? null,
      which,
    );
    return statements.length > 1 ? part.map((r) => ({ ...r, i: k + 1 })) : part;
  }

  /**
   * Partial buckets of whole days that the last refresh has passed (a past quarter's edge
   * weeks): their day cells hold every figure that adds up over days, exactly as the facts
   * would give it (integer counts; see DAY_SUM_COLUMNS) and the backlog at the end, so the
   * facts compute only the durations (means and percentiles; the created and resolved anchors,
   * one statement per bucket as before, so the same rows reach each mean in the same order).
   * Skipped: the surveys sent and the CSAT answers (a fact lookup per survey, an MRR lookup per
   * answer) and the SLA due times, ~70 % of a partial bucket's database time at 2M tickets.
   * The CSAT revenue weights become a sum of daily sums: they may differ from one sum in the
   * last bits, which the figure they feed (a percent with two decimals) does not show.
   */
  private async computeWithDays(
    p: KpiPlan,
    fromFacts: Bucket[],
    now: Date,
    statements: Bucket[][],
  ): Promise<KpiRow[]> {
    const dim = p.cellDim!;
    const days: Date[] = [];
    /** Per day (in `days` order): its bucket's index (1-based), and whether it is the bucket's last. */
    const dayOf: { i: number; last: boolean }[] = [];
    fromFacts.forEach((b, k) => {
      for (let d = b.start.getTime(); d < b.end.getTime(); d += DAY_MS) {
        days.push(new Date(d));
        dayOf.push({ i: k + 1, last: d + DAY_MS === b.end.getTime() });
      }
    });
    const [durations, cells] = await Promise.all([
      // each bucket's statement on its own connection (a quarter's two edges at once)
      Promise.all(
        statements.map((buckets, k) =>
          this.tx.run(async (own) => {
            await this.repo.tune(own, '64MB');
            return this.factStatementRows(own, p, statements, k, now, false, 'durations');
          }),
        ),
      ),
      this.repo.cellRows(
        this.tx.db,
        'day',
        dim,
        dim === 'all' ? null : (p.filter.values[dim] ?? null),
        days,
      ),
    ]);
    // one group per bucket when the cells' dimension is not grouped by (all, or a single filter value)
    const grouped = dim !== 'all' && p.dims.includes(dim);
    const groupOf = (r: KpiRow) => (grouped ? (r[dim as Dim] ?? '') : '');
    const out = new Map<string, KpiRow>();
    for (const r of durations.flat()) out.set(`${r.i}|${groupOf(r)}`, { ...r });
    // days in order, so a weight is always the same sum
    for (const c of [...cells].sort((a, b) => a.i - b.i)) {
      const { i, last } = dayOf[c.i - 1];
      const k = `${i}|${groupOf(c)}`;
      let row = out.get(k);
      if (!row) {
        // a group shows in a bucket with any anchored activity (as the facts' parts would),
        // or with a backlog at its end
        const active =
          c.surveysSent > 0 ||
          c.frSlaDue > 0 ||
          c.resSlaDue > 0 ||
          c.csatRatings > 0 ||
          (last && c.backlog !== 0);
        if (!active) continue;
        row = zeroRow(i);
        if (grouped) row[dim as Dim] = c[dim as Dim] ?? null;
        out.set(k, row);
      }
      const target = row as unknown as Record<string, number | null>;
      for (const m of DAY_SUM_COLUMNS) target[m] = (target[m] as number) + (c[m] as number);
      for (const m of DAY_WEIGHT_COLUMNS) {
        if (c[m] !== null) target[m] = ((target[m] as number | null) ?? 0) + (c[m] as number);
      }
      if (last) row.backlog = c.backlog;
    }
    return [...out.values()];
  }

  /** Fills the backlog of fact-computed buckets from the day cells at their ends. */
  private async backlogFromDays(tx: Tx, p: KpiPlan, rows: KpiRow[], days: Date[]) {
    const dim = p.cellDim!;
    const cells = await this.repo.cellRows(
      tx,
      'day',
      dim,
      dim === 'all' ? null : (p.filter.values[dim] ?? null),
      [...new Map(days.map((d) => [d.getTime(), d])).values()],
    );
    const cellKey = (r: KpiRow) => (dim === 'all' ? '' : (r[dim] ?? ''));
    const byDay = new Map<string, KpiRow>();
    const uniqueDays = [...new Map(days.map((d) => [d.getTime(), d])).values()];
    for (const c of cells) byDay.set(`${uniqueDays[c.i - 1].getTime()}|${cellKey(c)}`, c);
    const rowKey = (r: KpiRow) =>
      dim === 'all' || p.dims.includes(dim as Dim)
        ? cellKey(r)
        : (p.filter.values[dim as Dim]?.[0] ?? '');
    const seen = new Set<string>();
    for (const r of rows) {
      const k = `${days[r.i - 1].getTime()}|${rowKey(r)}`;
      r.backlog = byDay.get(k)?.backlog ?? 0;
      seen.add(`${r.i}|${rowKey(r)}`);
    }
    // groups with a backlog but no other activity in the bucket
    days.forEach((d, idx) => {
      for (const c of cells) {
        if (uniqueDays[c.i - 1].getTime() !== d.getTime() || c.backlog === 0) continue;
        if (seen.has(`${idx + 1}|${cellKey(c)}`)) continue;
        rows.push({
          ...zeroRow(idx + 1),
          [dim === 'all' ? 'team' : dim]: dim === 'all' ? null : c[dim as Dim],
          backlog: c.backlog,
        } as KpiRow);
      }
    });
  }

  /**
   * Next-reply figures of every bucket, computed from the reply events (not kept in the facts
   * or cells: docs/kpis.md).
   */
  private nextReply(db: Tx, p: KpiPlan, buckets: Bucket[]): Promise<NextReplyRow[]> {
    if (buckets.length === 0) return Promise.resolve([]);
    // concurrent identical questions (8 viewers of a dashboard) share one read; not kept after
    const key = JSON.stringify([
      p.dims,
      p.filter.values,
      p.filter.none ?? [],
      p.custom ?? null,
      buckets.map((b) => [b.start.getTime(), b.end.getTime()]),
    ]);
    const running = this.nextReplyInFlight.get(key);
    if (running) return running;
    const work = this.repo
      .nextReplyRows(
        db,
        p.dims,
        p.filter.values,
        buckets.map((b) => b.start),
        buckets.map((b) => b.end),
        p.filter.none ?? [],
        p.custom ?? null,
      )
      .finally(() => this.nextReplyInFlight.delete(key));
    this.nextReplyInFlight.set(key, work);
    return work;
  }

  /**
   * Merges the next-reply figures into the rows; a group with only next-reply activity gets a
   * row of its own.
   */
  private addNextReply(
    p: KpiPlan,
    buckets: Bucket[],
    rows: KpiTableRow[],
    key: (r: KpiTableRow) => string,
    found: NextReplyRow[],
  ): void {
    if (found.length === 0) return;
    const byKey = new Map(rows.map((r) => [key(r), r]));
    for (const f of found) {
      const b = buckets[f.i - 1];
      const { n, met, mean, p50, p90, i: _i, ...groups } = f;
      const probe: KpiTableRow = {
        ...this.blankUngrouped({ ...zeroRow(0), ...groups }, p.dims),
        periodStart: b.start,
        periodEnd: b.end,
        source: 'facts',
      };
      let row = byKey.get(key(probe));
      if (!row) {
        row = probe;
        rows.push(row);
        byKey.set(key(row), row);
      }
      row.nextReply = { n, met, mean, p50, p90 };
    }
  }

  private blankUngrouped(r: KpiRow, dims: Dim[]): KpiRow {
    const out = { ...r };
    for (const d of ['team', 'agent', 'channel', 'priority', 'tier', 'segment'] as Dim[]) {
      if (!dims.includes(d)) out[d] = null;
    }
    return out;
  }

  /**
   * Brings facts and cells up to date: tickets (and customers, calendars, surveys) changed since
   * the last run, plus the buckets time has moved through. Rebuilds instead when the facts are
   * missing (fresh database, bulk load with TRUNCATE). One run at a time across workers.
   *
   * Value-segment changes (the value job, new customers moving the quartiles) are not applied in
   * this transaction: their customers, and the buckets their facts count in, are queued, and
   * {@link applySegmentShift} then rewrites the facts' segment column and the segment cells in
   * bounded steps, each its own transaction, after this one and in the following runs until
   * done (docs/kpis.md, "Segment shifts"). A handful of customers' tickets can count in most
   * buckets of the history (their backlog, their surveys): recomputing every dimension's cells
   * of those buckets here took minutes and hit the statement timeout at full size.
   */
  async refresh(): Promise<RefreshResult> {
    const started = performance.now();
    const result = await this.tx.run(async (tx): Promise<RefreshResult> => {
      if (!(await this.repo.tryLock(tx))) {
        return { skipped: true, tickets: 0, cells: { day: 0, week: 0, month: 0 }, ms: 0 };
      }
      await this.repo.tune(tx, '128MB');
      const st = await this.repo.state(tx);
      if (!st.rebuiltAt || !st.watermark || (await this.repo.factsMissing(tx))) {
        const r = await this.rebuildIn(tx);
        return { rebuilt: true, tickets: r.facts, cells: r.cells, ms: 0 };
      }
      const now = st.now;
      const since = new Date(st.watermark.getTime() - OVERLAP_MS);
      const teams = await this.repo.syncCalendars(tx);
      const shift = await this.repo.segmentShift(tx, since);
      if (shift.facts > 0) {
        // the segment cells of the buckets those facts count in (every bucket for a large shift)
        let buckets: Record<Grain, Date[]> = { day: [], week: [], month: [] };
        if (shift.facts <= SEGMENT_REACH_FACTS) {
          buckets = dirtyBuckets(await this.repo.segmentReach(tx, shift.customers), now);
        } else {
          const first = await this.repo.firstInstant(tx);
          if (first) for (const g of GRAINS) buckets[g] = bucketsBetween(first, now, g);
        }
        await this.repo.enqueueSegmentShift(tx, shift.customers, buckets);
      }
      const ids = await this.repo.changedTicketIds(tx, since, teams);
      const dirty: Dirty = { days: [], ranges: [] };
      for (let i = 0; i < ids.length; i += CHUNK) {
        const d = await this.repo.refreshFacts(tx, ids.slice(i, i + CHUNK));
        dirty.days.push(...d.days);
        dirty.ranges.push(...d.ranges);
      }
      for (const r of await this.repo.surveyDays(tx, since)) dirty.ranges.push(r);
      // time moved on: SLA targets fell due, the backlog of the current buckets moved
      dirty.ranges.push({ from: st.lastRunAt ?? since, to: now });
      const buckets = dirtyBuckets(dirty, now);
      const cells = await this.recompute(tx, buckets, now);
      // while the facts of a shift are being rewritten, segment cells written from them are
      // recomputed again once the facts are done (afterwards they are written right)
      if ((await this.repo.segmentShiftPending(tx)).customers) {
        await this.repo.enqueueSegmentShift(tx, [], buckets);
      }
      await this.repo.saveState(tx, { watermark: now, lastRunAt: now });
      return {
        tickets: ids.length,
        cells,
        ms: 0,
        ...(shift.facts > 0
          ? { segmentShift: { customers: shift.customers.length, facts: shift.facts } }
          : {}),
      };
    });
    if (!result.skipped && !result.rebuilt) {
      result.segmentSteps = await this.applySegmentShift(
        performance.now() + this.config.kpi.segmentBudgetMs,
      );
    }
    result.ms = Math.round(performance.now() - started);
    if (!result.skipped) this.logger.debug(result, 'kpi refresh');
    return result;
  }

  /**
   * Applies a queued segment shift in steps until it is done or `deadline` (performance.now())
   * has passed (one step at least); each step is one transaction under the refresh's lock: first the facts of
   * `KPI_SEGMENT_STEP_CUSTOMERS` customers (their segment column only), then, once every fact is
   * rewritten, the segment cells of `KPI_SEGMENT_STEP_DAYS` days (or as many whole weeks, or a
   * month); the last step marks
   * the segment cells current again. Readers see either the old cells or the facts, never a
   * mix of rewritten and stale segment cells. Returns the steps taken.
   */
  async applySegmentShift(deadline: number): Promise<number> {
    const { segmentStepCustomers: customers, segmentStepDays: days } = this.config.kpi;
    const limit: Record<Grain, number> = {
      day: days,
      week: Math.max(1, Math.floor(days / 7)),
      month: Math.max(1, Math.floor(days / 28)),
    };
    let steps = 0;
    do {
      const more = await this.tx.run(async (tx) => {
        if (!(await this.repo.tryLock(tx))) return false;
        await this.repo.tune(tx, '128MB');
        const facts = await this.repo.rewriteSegments(tx, customers);
        if (facts.customers > 0) return true;
        const next = await this.repo.pendingSegmentBuckets(tx, limit);
        if (!next) return false;
        const now = await this.repo.now(tx);
        await this.repo.recomputeCells(
          tx,
          next.grain,
          next.starts,
          next.starts.map((s) => nextBucket(s, next.grain)),
          now,
          true,
        );
        await this.repo.segmentBucketsDone(tx, next.grain, next.starts);
        const left = await this.repo.segmentShiftPending(tx);
        if (!left.customers && !left.buckets) await this.repo.markSegmentCells(tx, now);
        return true;
      });
      if (!more) break;
      steps++;
    } while (performance.now() < deadline);
    return steps;
  }

  /** Rebuilds every fact and cell from scratch, set-based (call after bulk loads). */
  async rebuild(): Promise<RebuildResult> {
    const started = performance.now();
    const r = await this.tx.run((tx) => this.rebuildIn(tx));
    r.ms = Math.round(performance.now() - started);
    this.logger.info(r, 'kpi rebuild done');
    return r;
  }

  private rebuildIn(tx: Tx): Promise<RebuildResult> {
    return rebuildKpiData(tx, this.repo);
  }

  private recompute(tx: Tx, buckets: Record<Grain, Date[]>, now: Date) {
    return recomputeBuckets(tx, this.repo, buckets, now);
  }
}

/**
 * Rebuilds calendars, facts and cells from scratch inside the caller's transaction, set-based.
 * Takes the same advisory lock as the worker's refresh, so they never overlap.
 */
export async function rebuildKpiData(tx: Tx, repo = new KpisRepository()): Promise<RebuildResult> {
  const started = performance.now();
  await repo.lock(tx);
  await repo.tune(tx, '256MB');
  await repo.noStatementTimeout(tx);
  const calendars = (await repo.syncCalendars(tx, true)).length;
  await repo.clearSegmentShift(tx);
  const facts = await repo.rebuildFacts(tx);
  await repo.truncateCells(tx);
  const now = await repo.now(tx);
  const first = await repo.firstInstant(tx);
  const buckets: Record<Grain, Date[]> = { day: [], week: [], month: [] };
  if (first) for (const g of GRAINS) buckets[g] = bucketsBetween(first, now, g);
  const cells = await recomputeBuckets(tx, repo, buckets, now);
  await repo.saveState(tx, { watermark: now, lastRunAt: now, rebuiltAt: now });
  await repo.markSegmentCells(tx, now);
  return { facts, calendars, cells, ms: Math.round(performance.now() - started) };
}

async function recomputeBuckets(
  tx: Tx,
  repo: KpisRepository,
  buckets: Record<Grain, Date[]>,
  now: Date,
): Promise<Record<Grain, number>> {
  const counts = { day: 0, week: 0, month: 0 };
  for (const g of GRAINS) {
    const starts = buckets[g];
    const size = BUCKETS_PER_STATEMENT[g];
    for (let i = 0; i < starts.length; i += size) {
      const chunk = starts.slice(i, i + size);
      await repo.recomputeCells(
        tx,
        g,
        chunk,
        chunk.map((s) => nextBucket(s, g)),
        now,
      );
    }
    counts[g] = starts.length;
  }
  return counts;
}

const DAY_MS = 86_400_000;

/**
 * True when every bucket is whole UTC days that ended by the last refresh: their day cells were
 * last computed after the day ended (a refresh recomputes every bucket time moved through), from
 * the facts the facts path would read, so they hold the same counts.
 */
export function wholeRefreshedDays(buckets: Bucket[], lastRunAt: Date | null): boolean {
  return (
    lastRunAt !== null &&
    buckets.every(
      (b) =>
        b.start.getTime() % DAY_MS === 0 && b.end.getTime() % DAY_MS === 0 && b.end <= lastRunAt,
    )
  );
}

/** The day whose cell holds the backlog at `end` (a UTC day boundary; today when `end` is later than now). */
export function backlogDay(end: Date, now: Date): Date | null {
  if (end > now) return bucketStart(now, 'day');
  if (end.getTime() % 86_400_000 !== 0) return null;
  return new Date(end.getTime() - 86_400_000);
}

function zeroRow(i: number): KpiRow {
  return {
    i,
    team: null,
    agent: null,
    channel: null,
    priority: null,
    tier: null,
    ticketsCreated: 0,
    ticketsSolved: 0,
    frtN: 0,
    frtBusinessN: 0,
    frtMean: null,
    frtP50: null,
    frtP90: null,
    resN: 0,
    resBusinessN: 0,
    resMean: null,
    resP50: null,
    resP90: null,
    waitN: 0,
    waitBusinessN: 0,
    waitMean: null,
    waitP50: null,
    waitP90: null,
    reopened: 0,
    oneTouch: 0,
    frSlaDue: 0,
    frSlaMet: 0,
    resSlaDue: 0,
    resSlaMet: 0,
    backlog: 0,
    csatRatings: 0,
    csatGood: 0,
    csatWeight: null,
    csatGoodWeight: null,
    surveysSent: 0,
    surveysResponded: 0,
  };
}

/** The buckets of each grain a set of changes touches (never past the one containing `now`). */
export function dirtyBuckets(dirty: Dirty, now: Date): Record<Grain, Date[]> {
  const out: Record<Grain, Date[]> = { day: [], week: [], month: [] };
  for (const g of GRAINS) {
    const seen = new Map<number, Date>();
    const add = (d: Date) => seen.set(d.getTime(), d);
    for (const day of dirty.days) {
      if (day <= now) for (const s of bucketsBetween(day, day, g)) add(s);
    }
    for (const r of dirty.ranges) {
      const to = r.to === null || r.to > now ? now : r.to;
      if (r.from <= to) for (const s of bucketsBetween(r.from, to, g)) add(s);
    }
    out[g] = [...seen.values()].sort((a, b) => a.getTime() - b.getTime());
  }
  return out;
}
