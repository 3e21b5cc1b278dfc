import type { Insertable } from 'kysely';
import { DB, Tx, db } from '@staydesk/core';
import { MediumDatabase, fixtures, mediumDatabase } from '@staydesk/testing';
import { RiskEvidenceRepository } from './risk-evidence.repository';
import { joinMessageFeatures } from './risk-features';
import type { FactorValue } from './risk-model';
import { RiskRepository } from './risk.repository';

const DAY = 86_400_000;
const H = 3600_000;
const asOf = new Date(Date.UTC(2026, 5, 1)); // 1 June 2026
const ago = (days: number, hours = 0) => new Date(asOf.getTime() - days * DAY + hours * H);

/**
 * The risk SQL (features, scores, history, models, evidence) against a migrated database, on
 * customers with known histories as of 1 June 2026:
 *
 * - A (pro, since 1 Jan 2025, renews 1 Jul 2026): a1 urgent, open, created 10 days ago, first
 *   response due 9 days ago and never given (a breach); a2 created 20 days ago, solved after 24 h,
 *   reopened once; a3 created 60 days ago, solved after 12 h; a4 created 200 days ago, solved
 *   after its resolution target (a breach of the year, outside the 120 days). Customer messages:
 *   on a1 (negative), a2 (positive), a4 (negative). A CSAT 2 with effort 5 on a2, NPS 3.
 * - B (free, since 10 days ago): nothing yet.
 * - C churned 5 days ago (not scored); D became a customer after the cut-off (not scored).
 */
describe('RiskRepository (medium)', () => {
  const repo = new RiskRepository();
  const evidence = new RiskEvidenceRepository();
  let m: MediumDatabase;
  let a: string;
  let b: string;
  let c: string;
  const t: string[] = [];

  beforeAll(async () => {
    m = await mediumDatabase();
    const k = db(m.db);
    const customer = async (values: Insertable<DB['customers']>) =>
      (await k.insertInto('customers').values(values).returning('id').executeTakeFirstOrThrow()).id;
    a = await customer({
      name: 'A',
      tier: 'pro',
      mrr: 200,
      customerSince: new Date(Date.UTC(2025, 0, 1)),
      renewalDate: '2026-07-01',
    });
    b = await customer({ name: 'B', tier: 'free', mrr: 0, customerSince: ago(10) });
    c = await customer({
      name: 'C',
      status: 'churned',
      churnedAt: ago(5),
      customerSince: new Date(Date.UTC(2025, 0, 1)),
    });
    await customer({ name: 'D', customerSince: ago(-3) });
    await k
      .insertInto('customerStatusChanges')
      .values({ customerId: c, fromStatus: 'active', toStatus: 'churned', changedAt: ago(5) })
      .execute();
    const f = fixtures(m.db);
    const contact = await f.contact({ customerId: a, email: 'cy@a.test' });
    const ticket = async (v: {
      created: Date;
      priority: 'normal' | 'urgent';
      solved: Date | null;
      frDue?: Date;
      resDue?: Date;
      reopens?: number;
    }) => {
      const id = await f.ticket({
        customerId: a,
        requesterId: contact,
        subject: `a${t.length + 1}`,
        priority: v.priority,
        status: v.solved ? 'solved' : 'open',
        createdAt: v.created,
        solvedAt: v.solved,
        firstResponseAt: v.solved,
        firstResponseDueAt: v.frDue ?? null,
        resolutionDueAt: v.resDue ?? null,
        reopenCount: v.reopens ?? 0,
      });
      t.push(id);
      return id;
    };
    await ticket({ created: ago(10), priority: 'urgent', solved: null, frDue: ago(9) });
    await ticket({ created: ago(20), priority: 'normal', solved: ago(19), reopens: 1 });
    await ticket({ created: ago(60), priority: 'normal', solved: ago(60, 12) });
    await ticket({ created: ago(200), priority: 'normal', solved: ago(198), resDue: ago(199) });
    const message = (ticketId: string, created: Date, sentiment: number) =>
      f.message({
        ticketId,
        kind: 'customer_message',
        author: contact,
        body: 'hm',
        sentiment,
        createdAt: created,
      });
    await message(t[0], ago(10), -0.5);
    await message(t[1], ago(20), 0.3);
    await message(t[3], ago(200), -0.4);
    const survey = {
      customerId: a,
      tokenSalt: 's',
      expiresAt: ago(-30),
    };
    await k
      .insertInto('surveys')
      .values([
        {
          ...survey,
          kind: 'csat',
          ticketId: t[1],
          solveCycle: 1,
          tokenHash: 'h1',
          sentAt: ago(19),
          respondedAt: ago(18),
          score: 2,
          cesScore: 5,
        },
        {
          ...survey,
          kind: 'nps',
          period: '2026-Q1',
          tokenHash: 'h2',
          sentAt: ago(101),
          respondedAt: ago(100),
          score: 3,
        },
      ])
      .execute();
  });
  afterAll(() => m.close());

  it('computes the features of the customers active at the cut-off, as computed by hand', async () => {
    const rows = await m.run((tx) => repo.features(tx, asOf, null, false));
    expect(rows.map((r) => r.customerId)).toEqual([a, b]);
    const [fa, fb] = rows;
    expect(fa.peerResolutionRatio).toBeCloseTo(1, 9);
    expect(fa).toEqual({
      customerId: a,
      tier: 'pro',
      tenureDays: 516,
      daysToRenewal: 30,
      tickets120: 3,
      vol30: 2,
      base90: 1,
      openTickets: 1,
      urgentOpen: 1,
      solved90: 2,
      reopened90: 1,
      breaches90: 1,
      tickets90: 3,
      medianResolutionHours: 18,
      globalMedianResolutionHours: 18,
      peerResolutionRatio: fa.peerResolutionRatio,
      csatCount: 1,
      csatMean: 2,
      csatBad: 1,
      cesCount: 1,
      cesMean: 5,
      npsLatest: 3,
      customerMessages: 2,
      negativeMessages: 1,
      customerMessages30: 2,
      negativeMessages30: 1,
      ticketsYear: 4,
      breachesYear: 2,
      reopenedYear: 1,
      customerMessagesYear: 3,
      negativeMessagesYear: 2,
      daysSinceContact: 10,
    });
    expect(fb).toMatchObject({
      customerId: b,
      tier: 'free',
      tenureDays: 10,
      daysToRenewal: null,
      tickets120: 0,
      openTickets: 0,
      medianResolutionHours: null,
      globalMedianResolutionHours: 18,
      peerResolutionRatio: null,
      npsLatest: null,
      daysSinceContact: null,
    });
  });

  it('splits the full live run in two halves read on two connections in one snapshot: the rows of the one query', async () => {
    const one = await m.run((tx) => repo.features(tx, asOf, null, true));
    const halves = await m.run(async (tx) => {
      const id = await repo.exportSnapshot(tx);
      // a customer message committed after the export: neither half may see it
      const late = await fixtures(m.db).message({
        ticketId: t[0],
        kind: 'customer_message',
        author: (
          await db(m.db)
            .selectFrom('tickets')
            .select('requesterId')
            .where('id', '=', t[0])
            .executeTakeFirstOrThrow()
        ).requesterId,
        body: 'late',
        sentiment: -0.9,
        createdAt: ago(1),
      });
      try {
        const side = <T>(work: (s: Tx) => Promise<T>) =>
          m.run(async (s) => {
            await repo.readInSnapshot(s, id);
            return work(s);
          });
        const [rows, [messages, surveys]] = await Promise.all([
          side((s) => repo.featuresWithoutMessages(s, asOf)),
          side(
            async (s) =>
              [await repo.messageFeatures(s, asOf), await repo.surveyFeatures(s, asOf)] as const,
          ),
        ]);
        expect(surveys.map((x) => [x.customerId, x.csatCount, x.npsLatest])).toEqual([[a, 1, 3]]);
        expect(messages.map((x) => x.customerId)).toEqual([a]);
        expect(rows.map((r) => [r.customerMessages, r.daysSinceContact])).toEqual([
          [0, 10],
          [0, null],
        ]);
        return joinMessageFeatures(rows, messages, surveys);
      } finally {
        await db(m.db).deleteFrom('ticketMessages').where('id', '=', late).execute();
      }
    });
    expect(halves).toEqual(one);
    expect(halves[0]).toMatchObject({
      customerMessages: 2,
      negativeMessagesYear: 2,
      daysSinceContact: 10,
    });
  });

  it('scores a few customers with the medians given, and the live backlog', async () => {
    const [one] = await repo.features(m.db, asOf, [a], true, 9, [
      { teamId: null, priority: 'normal', hours: 36 },
    ]);
    expect(one).toMatchObject({
      customerId: a,
      openTickets: 1,
      globalMedianResolutionHours: 9,
    });
    expect(one.peerResolutionRatio).toBeCloseTo(0.5, 9);
    expect(await repo.globalMedianHours(m.db, asOf)).toBe(18);
    expect(await repo.peerMedians(m.db, asOf)).toEqual([
      { teamId: null, priority: 'normal', hours: 18 },
    ]);
  });

  const factors: FactorValue[] = [
    { name: 'sla_breaches', value: 1, input: 1, contribution: 3.5, label: 'one breach' },
  ];

  it('upserts scores and reads back their factors with snake_case names intact', async () => {
    await repo.upsertScores(m.db, [
      {
        customerId: a,
        score: 40,
        band: 'medium',
        factors,
        modelVersion: 'default-v3',
        previousBand: null,
        previousScore: null,
      },
    ]);
    const [row] = await repo.byCustomerIds(m.db, [a]);
    expect(row).toMatchObject({ customerId: a, score: 40, band: 'medium', factors });
    expect(await repo.currentScores(m.db, [a, b])).toEqual([
      { customerId: a, score: 40, band: 'medium' },
    ]);
    expect(await repo.owners(m.db, [a])).toEqual([{ customerId: a, ownerId: null }]);
  });

  it('stages a full run with COPY, rebands it, reports who enters high and applies it', async () => {
    // A has a stored lifetime value: the full run writes its expected value at risk too (the
    // per-row trigger skips itself during the bulk write); B has none
    await db(m.db)
      .insertInto('customerValues')
      .values({
        customerId: a,
        mrrKnown: true,
        expected: 2000,
        basis: 'segment_churn_rate',
        basisDetail: 'medium test',
        computedAt: asOf,
      })
      .execute();
    const changes = await m.run(async (tx) => {
      await repo.stageScores(
        tx,
        (async function* () {
          yield [
            {
              customerId: a,
              score: 75,
              band: 'high' as const,
              factors,
              modelVersion: 'default-v3',
            },
            {
              customerId: b,
              score: 10,
              band: 'low' as const,
              factors: [],
              modelVersion: 'default-v3',
            },
          ];
        })(),
      );
      await repo.rebandStaged(tx, { medium: 10, high: 80, critical: 90 });
      expect(await repo.enteringHighBands(tx, ['high', 'critical'])).toEqual([]);
      await repo.rebandStaged(tx, { medium: 20, high: 75, critical: 90 });
      expect(await repo.enteringHighBands(tx, ['high', 'critical'])).toEqual([
        { customerId: a, score: 75, band: 'high', factors },
      ]);
      return repo.applyStagedScores(tx, 5);
    });
    expect(changes).toBe(1);
    const rows = await repo.byCustomerIds(m.db, [a, b]);
    expect(rows.map((r) => [r.customerId, r.score, r.band]).sort()).toEqual(
      [
        [a, 75, 'high'],
        [b, 10, 'low'],
      ].sort(),
    );
    const history = await repo.history(m.db, [a, b], new Date(0));
    expect(history.map((h) => [h.customerId, h.band, h.previousBand])).toEqual([
      [a, 'high', 'medium'],
      [b, 'low', null],
    ]);
    expect(await repo.trends(m.db, [a], 0)).toEqual([{ customerId: a, trend: 0 }]);
    // the base is the first score of today: A's moves from its first score (40, set on insert)
    // to 75; B's first score is already its base
    expect(await m.run((tx) => repo.refreshChangeBase(tx, 0))).toBe(1);
    const evar = await db(m.db)
      .selectFrom('riskScores')
      .select(['riskScores.customerId', 'riskScores.expectedValueAtRisk'])
      .where('riskScores.customerId', 'in', [a, b])
      .execute();
    expect(Object.fromEntries(evar.map((r) => [r.customerId, r.expectedValueAtRisk]))).toEqual({
      [a]: 1500,
      [b]: null,
    });
    await db(m.db)
      .deleteFrom('customerValues')
      .where('customerValues.customerId', '=', a)
      .execute();
  });

  it('sets the expected value at risk from the stored values, leaving customers without one', async () => {
    const k = db(m.db);
    const evar = async () =>
      new Map(
        (
          await k
            .selectFrom('riskScores')
            .select(['riskScores.customerId', 'riskScores.score', 'riskScores.expectedValueAtRisk'])
            .where('riskScores.customerId', 'in', [a, b])
            .execute()
        ).map((r) => [r.customerId, r]),
      );
    // a stale value at risk on both (the trigger follows score writes only)
    await k
      .updateTable('riskScores')
      .set({ expectedValueAtRisk: 1 })
      .where('riskScores.customerId', 'in', [a, b])
      .execute();
    await k
      .insertInto('customerValues')
      .values({
        customerId: a,
        mrrKnown: true,
        expected: 1234.5,
        basis: 'segment_churn_rate',
        basisDetail: 'medium test',
        computedAt: asOf,
      })
      .execute();
    await m.run((tx) => repo.refreshExpectedValueAtRisk(tx));
    const after = await evar();
    expect(after.get(a)!.expectedValueAtRisk).toBeCloseTo((after.get(a)!.score * 1234.5) / 100, 6);
    // B has no stored value: its value at risk is not the job's to touch
    expect(after.get(b)!.expectedValueAtRisk).toBe(1);
    await k.deleteFrom('customerValues').where('customerValues.customerId', '=', a).execute();
  });

  it('backfills history points with their own times', async () => {
    expect(await repo.historyBefore(m.db, ago(0))).toBe(0);
    await repo.insertHistoryAt(m.db, [
      { customerId: b, score: 12, band: 'low', previousBand: null, modelVersion: 'x', at: ago(7) },
    ]);
    expect(await repo.historyBefore(m.db, ago(0))).toBe(1);
  });

  it('keeps model weights’ snake_case keys, and activates and restores models', async () => {
    const weights = { volume_spike: 0.5, sla_breaches: 1.25 };
    const bands = { medium: 20, high: 50, critical: 70 };
    await repo.saveModel(m.db, {
      version: 'fit-1',
      source: 'fitted',
      intercept: -2.5,
      weights,
      bands,
      metrics: { auc_test: 0.7 },
      activate: true,
    });
    expect(await repo.activeModel(m.db)).toEqual({
      version: 'fit-1',
      intercept: -2.5,
      weights,
      bands,
    });
    expect(await repo.previousModel(m.db)).toEqual({ current: 'fit-1', previous: null });
    await repo.activate(m.db, null);
    expect(await repo.activeModel(m.db)).toBeNull();
    expect(await repo.modelByVersion(m.db, 'fit-1')).toMatchObject({ weights });
    expect((await repo.models(m.db)).map((x) => [x.version, x.active])).toEqual([['fit-1', false]]);
    await repo.saveDistributionBands(m.db, 'default-v3', bands, 300);
    await repo.saveDistributionBands(m.db, 'default-v3', { ...bands, high: 55 }, 301);
    expect(await repo.distributionBands(m.db, 'default-v3')).toEqual({ ...bands, high: 55 });
    expect(await repo.distributionBands(m.db, 'nope')).toBeNull();
  });

  it('answers the ground truths of a backtest', async () => {
    expect(await repo.churnedBetween(m.db, ago(30), asOf)).toEqual(new Set([c]));
    const contact = await repo.contactAround(m.db, ago(15), asOf, 30);
    expect(contact.get(a)).toEqual({ before: true, after: true });
    expect(await repo.activeCustomerIds(m.db)).toEqual([a, b, expect.any(String)]);
  });

  it('lists the evidence behind a factor, as the features define it', async () => {
    const sla = await evidence.evidence(m.db, a, 'sla_breaches', asOf);
    expect(sla).toEqual({
      rows: [
        {
          kind: 'ticket',
          id: t[0],
          ticketId: t[0],
          at: ago(10),
          detail: 'first response target missed: a1',
        },
      ],
      hidden: 0,
    });
    const negative = await evidence.evidence(m.db, a, 'negative_sentiment', asOf);
    expect(negative.rows.map((r) => [r.kind, r.ticketId])).toEqual([['message', t[0]]]);
  });
});
