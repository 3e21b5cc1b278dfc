import { Injectable } from '@nestjs/common';
import {
  Connection,
  TransactionRunner,
  badInput,
  decodeCursor,
  encodeCursor,
  pageSize,
  toConnection,
} from '@staydesk/core';
import { Actor, IdentityService } from '@staydesk/identity';
import type { Dim, KpiFilterInput } from './kpi-plan';
import {
  DRILL_METRICS,
  DRILL_ORDERS,
  DrillMetric,
  DrillOrder,
  DrillRow,
  KpiDrillRepository,
  NPS_DIMS,
  NPS_METRICS,
} from './kpi-drill.repository';
import { KpisService } from './kpis.service';

/**
 * The tickets behind a supportKpis figure (issue 17): the same filter, scoping (team leads see
 * their own teams) and definitions as the figure; give the bucket's periodStart/periodEnd as
 * filter.from/to and the group's values as filter lists.
 */
@Injectable()
export class KpiDrillService {
  constructor(
    private readonly kpis: KpisService,
    private readonly repo: KpiDrillRepository,
    private readonly tx: TransactionRunner,
    private readonly identity: IdentityService,
  ) {}

  async tickets(
    actor: Actor,
    filter: KpiFilterInput,
    metric: string,
    order: string | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<DrillRow>> {
    if (!(DRILL_METRICS as readonly string[]).includes(metric))
      throw badInput('metric', `must be one of ${DRILL_METRICS.join(', ')}`);
    const o = (order ?? 'recent') as DrillOrder;
    if (!DRILL_ORDERS.includes(o)) throw badInput('orderBy', `must be recent or value_desc`);
    const plan = await this.kpis.plan(actor, filter, []);
    const m = metric as DrillMetric;
    const limit = pageSize(first);
    const ordering = `kpi_${m}_${o}`;
    let cursor: { key: string | number; id: string } | null = null;
    if (after) {
      const [key, id] = decodeCursor(after, ordering, 2);
      if (key === null || typeof id !== 'string' || !/^[1-9]\d{0,17}$/.test(id))
        throw badInput(
          'after',
          'malformed cursor: pass a cursor exactly as a previous page returned it',
        );
      cursor = { key, id };
    }
    const { from, to, values, none = [] } = plan.filter;
    if (NPS_METRICS.includes(m)) {
      const other = [...(Object.keys(values) as Dim[]), ...none].find((d) => !NPS_DIMS.includes(d));
      if (other)
        throw badInput(
          'filter',
          `NPS answers are given per customer, not per ticket, so they have no ${other}: filter them by team or agent only`,
        );
    }
    const hidden = await this.identity.hiddenTeamIds(actor);
    const [rows, total] = await Promise.all([
      this.repo.page(this.tx.db, m, values, from, to, o, cursor, limit + 1, hidden, none),
      this.repo.count(this.tx.db, m, values, from, to, none),
    ]);
    const conn = toConnection(
      rows,
      limit,
      (r) => encodeCursor(ordering, [o === 'recent' ? r.sortAt : r.sortValue, r.rowId]),
      (r) => r,
      !!cursor,
    );
    return { ...conn, totalCount: total };
  }
}
