import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AuditRepository, JobPublisher, TransactionRunner, badInput } from '@staydesk/core';
import { mrrHistoryOf } from '@staydesk/customers';
import type { Actor } from '@staydesk/identity';
import { RiskService } from '@staydesk/risk';
import { BandsRow, LiveValueRow, StoredValueRow, ValueRepository } from './value.repository';
import { checkBands } from './value-rules';
import type { Basis, Scheme, Segment, SegmentBasis } from './value-rules';

/** `valueSegmentScheme`: the scheme the next computation uses. */
export interface SegmentScheme extends BandsRow {
  scheme: Scheme;
}

/** `Customer.lifetimeValue`: live value to date, stored segment and expected value. */
export interface LifetimeValue {
  customerId: string;
  toDate: number | null;
  monthsAsCustomer: number;
  expected: number | null;
  expectedMonths: number | null;
  segment: Segment | null;
  segmentValue: number | null;
  segmentBasis: SegmentBasis | null;
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
    segmentValue: stored?.segmentValue ?? null,
    segmentBasis: stored?.segmentBasis ?? null,
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
    private readonly audit: AuditRepository,
    private readonly jobs: JobPublisher,
    private readonly risk: RiskService,
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

  async scheme(): Promise<SegmentScheme> {
    const b = await this.repo.bands(this.tx.db);
    return { scheme: b.bands.length ? 'bands' : 'quartiles', ...b };
  }

  /**
   * Admin-set bands (or back to quartiles with `scheme: quartiles`), audited, then a
   * recomputation is queued (the segments follow within a minute or so, not in this request).
   */
  async setScheme(
    actor: Actor,
    scheme: Scheme,
    bands: readonly { segment: string; minValue: number }[] | null | undefined,
  ): Promise<SegmentScheme> {
    let checked: { segment: Segment; minValue: number }[] = [];
    if (scheme === 'quartiles') {
      if (bands?.length) throw badInput('bands', 'must be empty when going back to quartiles');
    } else {
      const r = checkBands(bands ?? []);
      if ('field' in r) throw badInput(r.field, r.message);
      checked = r.bands;
    }
    const before = await this.scheme();
    await this.tx.run(async (tx) => {
      await this.repo.replaceBands(tx, checked, actor.id, new Date());
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'value.segment_scheme.set',
        entity: 'value_segments',
        entityId: null,
        details: { scheme, bands: checked, before: { scheme: before.scheme, bands: before.bands } },
      });
    });
    await this.jobs.publish('value.recompute', {});
    return this.scheme();
  }

  /**
   * The worker's nightly run (also at boot): everyone's value and segments, then the expected
   * value at risk on the risk scores (libs/risk's table), in one transaction.
   */
  async recomputeAll(at = new Date()) {
    const started = performance.now();
    const r = await this.tx.run(async (tx) => {
      const done = await this.repo.recomputeAll(tx, at);
      await this.risk.refreshExpectedValueAtRisk(tx);
      return done;
    });
    const done = { ...r, totalMs: Math.round(performance.now() - started) };
    this.logger.info(done, 'lifetime values recomputed');
    return done;
  }
}
