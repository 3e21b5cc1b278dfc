import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { TransactionRunner } from '@staydesk/core';
import { mrrHistoryOf } from '@staydesk/customers';
import { LiveValueRow, StoredValueRow, ValueRepository } from './value.repository';
import type { Basis, Segment } from './value-rules';

/** `Customer.lifetimeValue`: live value to date, stored segment and expected value. */
export interface LifetimeValue {
  customerId: string;
  toDate: number | null;
  monthsAsCustomer: number;
  expected: number | null;
  expectedMonths: number | null;
  segment: Segment | null;
  basis: Basis | 'not_computed';
  basisDetail: string;
  computedAt: Date | null;
}

export function lifetimeValueOf(live: LiveValueRow, stored: StoredValueRow | null): LifetimeValue {
  return {
    customerId: live.customerId,
    toDate: live.toDate,
    monthsAsCustomer: Math.round(live.monthsAsCustomer * 100) / 100,
    expected: stored?.expected ?? null,
    expectedMonths:
      stored?.expectedMonths == null ? null : Math.round(stored.expectedMonths * 100) / 100,
    segment: stored?.segment ?? null,
    basis: stored?.basis ?? 'not_computed',
    basisDetail: stored?.basisDetail ?? 'not computed yet (the worker computes values nightly)',
    computedAt: stored?.computedAt ?? null,
  };
}

/** Customer lifetime value (issue 23, docs/kpis.md "Lifetime value"). */
@Injectable()
export class ValueService {
  constructor(
    private readonly repo: ValueRepository,
    private readonly tx: TransactionRunner,
    @InjectPinoLogger(ValueService.name) private readonly logger: PinoLogger,
  ) {}

  async lifetimeValues(ids: readonly string[]): Promise<LifetimeValue[]> {
    const [live, stored] = await Promise.all([
      this.repo.live(this.tx.db, ids, new Date()),
      this.repo.stored(this.tx.db, ids),
    ]);
    const byId = new Map(stored.map((s) => [s.customerId, s]));
    return live.map((l) => lifetimeValueOf(l, byId.get(l.customerId) ?? null));
  }

  mrrHistory(ids: readonly string[]) {
    return mrrHistoryOf(this.tx.db, ids);
  }

  segments() {
    return this.repo.segments(this.tx.db);
  }

  /** The worker's nightly run (also at boot): everyone's value, segments, value at risk. */
  async recomputeAll(at = new Date()) {
    const started = performance.now();
    const r = await this.tx.run((tx) => this.repo.recomputeAll(tx, at));
    const done = { ...r, totalMs: Math.round(performance.now() - started) };
    this.logger.info(done, 'lifetime values recomputed');
    return done;
  }
}
