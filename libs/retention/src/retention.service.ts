import { Inject, Injectable } from '@nestjs/common';
import {
  APP_CONFIG,
  AppConfig,
  AuditRepository,
  Connection,
  TransactionRunner,
  Tx,
  badInput,
  decodeCursor,
  encodeCursor,
  notFound,
  pageSize,
  toConnection,
} from '@staydesk/core';
import { CustomerRow, CustomersService } from '@staydesk/customers';
import { FollowUpRow, FollowUpsService, validateDueAt } from '@staydesk/followups';
import { Actor, validateId } from '@staydesk/identity';
import {
  RiskListFilterInput,
  RiskListQuery,
  assertMayAct,
  decodeRiskCursor,
  encodeRiskCursor,
  retentionRates,
  revenueRates,
  validateRiskFilter,
} from './retention-rules';
import {
  PERIOD_FIGURES,
  PeriodCounts,
  PeriodCustomerRow,
  PeriodFigure,
  RetentionRepository,
  RiskListRow,
  SegmentCounts,
  SnoozeRow,
} from './retention.repository';

const DAY_MS = 86_400_000;
export const MAX_SNOOZE_DAYS = 365;
/** Rows fetched per page while streaming an export. */
const EXPORT_PAGE = 1000;

export interface SegmentFigures extends SegmentCounts {
  retentionRatePercent: number | null;
  churnRatePercent: number | null;
  revenueChurnRatePercent: number | null;
  netRevenueRetentionPercent: number | null;
}

export interface RetentionFigures extends PeriodCounts {
  from: Date;
  to: Date;
  retentionRatePercent: number | null;
  churnRatePercent: number | null;
  revenue: SegmentFigures;
  bySegment: SegmentFigures[];
}

const segmentFigures = (s: SegmentCounts): SegmentFigures => ({
  ...s,
  ...retentionRates(s),
  ...revenueRates(s),
});

function text(v: string | null | undefined, field: string, max: number): string {
  const t = (v ?? '').trim();
  if (!t) throw badInput(field, 'must not be empty');
  if (t.length > max) throw badInput(field, `must be at most ${max} characters`);
  return t;
}

/**
 * Retention for account managers: the churn-risk list and what they do about it (snooze, log an
 * outreach, mark churned/retained), and retention/churn rates per period (DESIGN §4).
 */
@Injectable()
export class RetentionService {
  constructor(
    private readonly repo: RetentionRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly customers: CustomersService,
    private readonly followUps: FollowUpsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The list filter checked (named riskQuery, not query: it builds no SQL). */
  riskQuery(
    actor: Actor,
    filter: RiskListFilterInput,
    orderBy: string | null | undefined,
    changeDays: number | null | undefined,
  ): RiskListQuery {
    return validateRiskFilter(actor, filter, orderBy, changeDays);
  }

  async riskList(
    q: RiskListQuery,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<RiskListRow>> {
    const limit = pageSize(first);
    const cursor = after ? decodeRiskCursor(q, after) : null;
    const rows = await this.tx.run((tx) => this.repo.riskList(tx, q, cursor, limit + 1));
    return toConnection(
      rows,
      limit,
      (r) => encodeRiskCursor(q, r.sortKey, r.customerId),
      (r) => r,
      !!cursor,
    );
  }

  /** Every row of a list, page by page (for streaming exports), at most EXPORT_MAX_ROWS. */
  async *allRows(q: RiskListQuery): AsyncGenerator<RiskListRow> {
    let cursor: { key: number; id: string } | null = null;
    let n = 0;
    for (;;) {
      const rows = await this.tx.run((tx) => this.repo.riskList(tx, q, cursor, EXPORT_PAGE));
      for (const r of rows) {
        if (n++ >= this.config.exportMaxRows) return;
        yield r;
      }
      if (rows.length < EXPORT_PAGE) return;
      const last = rows[rows.length - 1];
      cursor = { key: last.sortKey, id: last.customerId };
    }
  }

  async recordExport(actor: Actor, q: RiskListQuery): Promise<void> {
    await this.tx.run((tx) =>
      this.audit.record(tx, {
        actorId: actor.id,
        action: 'export.risk_list',
        entity: 'risk_list',
        entityId: null,
        details: { ...q },
      }),
    );
  }

  /** Takes a customer off the list for `days` days (a filter can still ask for snoozed ones). */
  async snooze(actor: Actor, customerId: string, days: number, reason: string): Promise<SnoozeRow> {
    validateId(customerId, 'customerId');
    if (!Number.isInteger(days) || days < 1 || days > MAX_SNOOZE_DAYS)
      throw badInput('days', `must be a whole number from 1 to ${MAX_SNOOZE_DAYS}`);
    const why = text(reason, 'reason', 1000);
    return this.tx.run(async (tx) => {
      await this.lockForAction(tx, actor, customerId);
      const until = new Date(Date.now() + days * DAY_MS);
      const row = await this.repo.snooze(tx, customerId, until, why, actor.id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'customer.snooze',
        entity: 'customer',
        entityId: customerId,
        details: { days, until: until.toISOString(), reason: why },
      });
      return row;
    });
  }

  async unsnooze(actor: Actor, customerId: string): Promise<boolean> {
    validateId(customerId, 'customerId');
    return this.tx.run(async (tx) => {
      await this.lockForAction(tx, actor, customerId);
      const removed = await this.repo.unsnooze(tx, customerId);
      if (!removed) throw badInput('customerId', `customer ${customerId} is not snoozed`);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'customer.unsnooze',
        entity: 'customer',
        entityId: customerId,
      });
      return true;
    });
  }

  /**
   * Logs an outreach: completes the open `at_risk_outreach` follow-ups with the note as their
   * outcome (creating one first, owned by the actor, when none is open, so every outreach is on
   * record), and optionally opens the next one. One transaction.
   */
  async logOutreach(
    actor: Actor,
    customerId: string,
    note: string,
    nextFollowUpAt: Date | null | undefined,
  ): Promise<{ completed: FollowUpRow[]; next: FollowUpRow | null }> {
    validateId(customerId, 'customerId');
    const outcome = text(note, 'note', 5000);
    const next = nextFollowUpAt != null ? validateDueAt(nextFollowUpAt, 'nextFollowUpAt') : null;
    if (next && next.getTime() <= Date.now())
      throw badInput('nextFollowUpAt', 'must be in the future');
    return this.tx.run(async (tx) => {
      await this.lockForAction(tx, actor, customerId);
      let completed = await this.followUps.completeOpenForCustomer(
        tx,
        actor,
        customerId,
        'at_risk_outreach',
        outcome,
      );
      if (completed.length === 0) {
        await this.followUps.openForOwner(tx, {
          customerId,
          ownerId: actor.id,
          kind: 'at_risk_outreach',
          dueAt: new Date(),
          note: 'Outreach logged from the churn-risk list',
          createdById: actor.id,
        });
        completed = await this.followUps.completeOpenForCustomer(
          tx,
          actor,
          customerId,
          'at_risk_outreach',
          outcome,
        );
      }
      const opened = next
        ? await this.followUps.openForOwner(tx, {
            customerId,
            ownerId: actor.id,
            kind: 'at_risk_outreach',
            dueAt: next,
            note: `Next outreach after: ${outcome.slice(0, 200)}`,
            createdById: actor.id,
          })
        : null;
      return { completed, next: opened };
    });
  }

  /** The customer left: status change (with its history row and outbox event), outreach closed. */
  async markChurned(actor: Actor, customerId: string, reason: string): Promise<CustomerRow> {
    validateId(customerId, 'customerId');
    const why = text(reason, 'reason', 1000);
    return this.tx.run(async (tx) => {
      await this.lockForAction(tx, actor, customerId);
      const c = await this.customers.changeStatus(tx, actor, customerId, 'churned', why);
      await this.followUps.completeOpenForCustomer(
        tx,
        actor,
        customerId,
        'at_risk_outreach',
        `Churned: ${why}`,
      );
      await this.repo.unsnooze(tx, customerId);
      return c;
    });
  }

  /**
   * The customer stays: open outreach follow-ups are completed with the note; a churned customer
   * won back is reactivated through the customers' status change (history row + outbox event).
   */
  async markRetained(actor: Actor, customerId: string, note: string): Promise<CustomerRow> {
    validateId(customerId, 'customerId');
    const why = text(note, 'note', 1000);
    await this.tx.run(async (tx) => {
      const before = await this.lockForAction(tx, actor, customerId);
      if (before.status === 'churned') {
        await this.customers.changeStatus(tx, actor, customerId, 'active', `Won back: ${why}`);
      }
      await this.followUps.completeOpenForCustomer(
        tx,
        actor,
        customerId,
        'at_risk_outreach',
        `Retained: ${why}`,
      );
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'customer.retained',
        entity: 'customer',
        entityId: customerId,
        details: { note: why, wonBack: before.status === 'churned' },
      });
    });
    return this.customers.customer(customerId);
  }

  /** Retention and churn rates of [from, to) and of the period of the same length before it. */
  async summary(
    from: Date | null | undefined,
    to: Date | null | undefined,
  ): Promise<{ current: RetentionFigures; previous: RetentionFigures }> {
    this.checkPeriod(from, to);
    const prevFrom = new Date(from!.getTime() - (to!.getTime() - from!.getTime()));
    const figures = async (a: Date, b: Date): Promise<RetentionFigures> => {
      const [c, segs] = await Promise.all([
        this.repo.periodCounts(this.tx.db, a, b),
        this.tx.run((tx) => this.repo.segmentCounts(tx, a, b)),
      ]);
      const all = segs.find((s) => s.segment === 'all')!;
      return {
        from: a,
        to: b,
        ...c,
        ...retentionRates(c),
        revenue: segmentFigures(all),
        bySegment: segs.filter((s) => s.segment !== 'all').map(segmentFigures),
      };
    };
    const [current, previous] = await Promise.all([figures(from!, to!), figures(prevFrom, from!)]);
    return { current, previous };
  }

  /**
   * The customers behind a retentionSummary figure of [from, to) (issue 17), by id, paged;
   * `segment` undefined = all, null = value unknown.
   */
  async periodCustomers(
    from: Date | null | undefined,
    to: Date | null | undefined,
    figure: string,
    segment: string | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
    band: string | null = null,
  ): Promise<Connection<PeriodCustomerRow>> {
    this.checkPeriod(from, to);
    if (band !== null && !['low', 'medium', 'high', 'critical'].includes(band))
      throw badInput('band', 'must be one of low, medium, high, critical');
    if (!(figure in PERIOD_FIGURES))
      throw badInput('figure', `must be one of ${Object.keys(PERIOD_FIGURES).join(', ')}`);
    const limit = pageSize(first);
    let afterId: string | null = null;
    if (after) {
      const [id] = decodeCursor(after, `retention_${figure}`, 1);
      if (typeof id !== 'string' || !/^[1-9]\d{0,17}$/.test(id))
        throw badInput(
          'after',
          'malformed cursor: pass a cursor exactly as a previous page returned it',
        );
      afterId = id;
    }
    const rows = await this.tx.run((tx) =>
      this.repo.periodCustomers(
        tx,
        from!,
        to!,
        figure as PeriodFigure,
        segment,
        afterId,
        limit + 1,
        band,
      ),
    );
    const conn = toConnection(
      rows,
      limit,
      (r) => encodeCursor(`retention_${figure}`, [r.customerId]),
      (r) => r,
      !!afterId,
    );
    // exact (every row carries the count of the whole set); a page past the end has no row to
    // carry it: 0 on the first page, unknown after a cursor
    return { ...conn, totalCount: rows[0]?.total ?? (afterId ? undefined : 0) };
  }

  private checkPeriod(from: Date | null | undefined, to: Date | null | undefined) {
    for (const [d, f] of [
      [from, 'period.from'],
      [to, 'period.to'],
    ] as const) {
      if (d == null) throw badInput(f, 'is required: give both ends of the period');
      if (Number.isNaN(d.getTime())) throw badInput(f, 'must be a date-time');
    }
    if (to!.getTime() <= from!.getTime())
      throw badInput('period.to', 'must be after period.from (the period is [from, to))');
    const days = (to!.getTime() - from!.getTime()) / DAY_MS;
    if (days > this.config.kpi.maxRangeDays)
      throw badInput(
        'period.to',
        `the period is ${Math.ceil(days)} days; at most ${this.config.kpi.maxRangeDays} are allowed (KPI_MAX_RANGE_DAYS)`,
      );
  }

  private async lockForAction(tx: Tx, actor: Actor, customerId: string) {
    const c = await this.repo.customerForAction(tx, customerId);
    if (!c) throw notFound('customer', customerId);
    assertMayAct(actor, c.accountManagerId, customerId, c.name);
    return c;
  }
}
