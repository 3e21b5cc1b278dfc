import { join } from 'node:path';
import { RiskService, bandOf } from '@staydesk/risk';
import { insertUser, login, ok } from '../support/factories';
import { ROOT, runToExit } from '../support/processes';
import { TestStack, startStack } from '../support/stack';

const SEED_DEMO = join(ROOT, 'dist', 'scripts', 'seed-demo.js');
const FIT = join(ROOT, 'dist', 'scripts', 'risk-fit.js');
const BACKTEST = join(ROOT, 'dist', 'scripts', 'risk-backtest.js');
const WORLD = ['--customers', '300', '--tickets', '4000', '--months', '12', '--seed', '11'];
const DAY_MS = 86_400_000;
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);
const LIST = `query($f: RiskListFilter) { riskList(filter: $f, first: 100) { edges { node { customerId band score } } } }`;

/**
 * Issue #25: a fitted model's scores are churn probabilities of a few percent; with fixed
 * 25/50/75 point bands everyone would be "low". Its own quantile bands keep the risk list useful.
 */
describe('a fitted model, once active, still fills every band of the risk list', () => {
  let stack: TestStack;
  let admin: string;
  const run = (file: string, args: string[]) => runToExit(file, stack.env, 60_000, args);

  beforeAll(async () => {
    stack = await startStack();
    const seeded = await run(SEED_DEMO, WORLD);
    expect(seeded.stderr).toBe('');
    await insertUser(stack, { email: 'boss@t.local', role: 'admin' });
    admin = await login(stack, 'boss@t.local');
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('bands the default model by the tenant’s own score distribution (RISK_BANDS unset)', async () => {
    const risk = stack.worker!.get(RiskService);
    expect((await risk.reloadModel()).version).toBe('default-v3');
    const run = await risk.rescoreAll();
    expect(run.customers).toBeGreaterThanOrEqual(200);
    const { rows } = await stack.db.query(
      `SELECT bands, customers FROM risk_distribution_bands WHERE model_version = 'default-v3'`,
    );
    expect(rows).toEqual([{ bands: risk.bands, customers: run.customers }]);
    const { rows: perBand } = await stack.db.query<{ band: string; n: number }>(
      `SELECT band, count(*)::int AS n FROM risk_scores GROUP BY band`,
    );
    const share = (band: string) => (perBand.find((r) => r.band === band)?.n ?? 0) / run.customers;
    // the riskiest ~3 % critical, ~7 % high, ~20 % medium (ties at a threshold round up)
    expect(share('critical')).toBeGreaterThan(0);
    expect(share('critical')).toBeLessThan(0.08);
    expect(share('critical') + share('high')).toBeGreaterThan(0.05);
    expect(share('critical') + share('high')).toBeLessThan(0.2);
    expect(share('low')).toBeGreaterThan(0.55);
    // the bands are set on the staged scores after the thresholds are known: each stored band is
    // what bandOf says for its score, at the thresholds too
    const { rows: scored } = await stack.db.query<{ score: number; band: string }>(
      `SELECT score, band FROM risk_scores`,
    );
    expect(scored.filter((r) => r.band !== bandOf(r.score, risk.bands))).toEqual([]);
    expect(scored.some((r) => r.score === risk.bands.critical)).toBe(true); // a boundary was hit
  }, 60_000);

  it('lists customers going quiet: largest drop of contact against their own past first', async () => {
    const QUIET = `query($after: String) { riskList(orderBy: going_quiet, first: 10, after: $after) {
      edges { node { customerId } } pageInfo { endCursor } } }`;
    const first = (await ok(stack, admin, QUIET)).riskList;
    const second = (await ok(stack, admin, QUIET, { after: first.pageInfo.endCursor })).riskList;
    const ids = [...first.edges, ...second.edges].map((e: any) => e.node.customerId);
    expect(ids).toHaveLength(20);
    const { rows } = await stack.db.query<{ id: string; drop: number }>(
      `SELECT r.customer_id::text AS id, (f->>'input')::float8 AS drop
         FROM risk_scores r, jsonb_array_elements(r.factors) f
        WHERE f->>'name' = 'contact_drop' ORDER BY 2 DESC, r.customer_id DESC LIMIT 20`,
    );
    expect(ids).toEqual(rows.map((r) => r.id));
    expect(rows[0].drop).toBeGreaterThan(1); // at least halved against the customer's own rate
  });

  it('activates a fitted model with bands of its own and lists high and critical customers', async () => {
    const version = `fitted-${day(200)}-h90`;
    const fit = await run(FIT, ['--cutoff', day(200), '--horizon', '90', '--activate']);
    expect(fit.stderr).toBe('');
    // judged on the next 90 days against the defaults; a few hundred customers rarely prove a
    // difference beyond the noise, and then --activate keeps the defaults
    expect(fit.stdout).toMatch(
      /(beats|does not beat) default-v3 beyond the noise: AUC \d\.\d{3} vs \d\.\d{3}/,
    );
    if (!fit.stdout.includes('and made it active')) {
      expect(fit.stdout).toContain('not activated, default-v3 stays active');
      const use = await run(FIT, ['--use', version]);
      expect(use.stderr).toBe('');
      expect(use.stdout).toContain(`activated ${version}`);
    }
    const { rows } = await stack.db.query(`SELECT version, bands FROM risk_models WHERE active`);
    expect(rows[0].version).toBe(version);
    expect(rows).toHaveLength(1);
    const bands = rows[0].bands;
    expect(bands.medium).toBeLessThan(bands.high);
    expect(bands.high).toBeLessThan(bands.critical);
    expect(bands.critical).toBeLessThan(50); // probabilities, far under the default 75 points

    const risk = stack.worker!.get(RiskService);
    expect((await risk.reloadModel()).version).toBe(rows[0].version);
    await risk.rescoreAll();

    const listed = async (band: string) =>
      (await ok(stack, admin, LIST, { f: { bands: [band] } })).riskList.edges.map(
        (e: any) => e.node,
      );
    // The bands are the riskiest 30 / 10 / 3 % of the customers at the fit's cut-off, 200 days
    // ago, not of today's: how many customers score above them today depends on the world, which
    // the seeder anchors on the current time (weekdays, working hours, month lengths). In one
    // run of ~6 nobody today reached the critical threshold (here: 5 of 239 did, the 6th scored
    // 10.08 against 10.15), so an empty critical band is a right answer, not a fault. Asserted:
    // critical and high list exactly the customers whose fitted score falls in them (the list
    // reads the stored bands), and the wider bands are used (16 of 239 high or critical here).
    const { rows: scored } = await stack.db.query<{ id: string; score: number }>(
      `SELECT r.customer_id::text AS id, r.score FROM risk_scores r
         JOIN customers c ON c.id = r.customer_id WHERE c.status = 'active'`,
    );
    for (const band of ['critical', 'high']) {
      const ids = (await listed(band)).map((n: { customerId: string }) => n.customerId).sort();
      expect(ids).toEqual(
        scored
          .filter((r) => bandOf(r.score, bands) === band)
          .map((r) => r.id)
          .sort(),
      );
    }
    expect(await listed('high')).not.toHaveLength(0);
    expect(await listed('medium')).not.toHaveLength(0);
    expect(await listed('low')).not.toHaveLength(0);

    // the API states the probability of a fitted model (of the riskiest customer listed)
    const [top] = (await ok(stack, admin, LIST, { f: { bands: ['critical', 'high'] } })).riskList
      .edges;
    const one = await ok(
      stack,
      admin,
      `query($id: ID!) { customer(id: $id) { risk { score modelVersion churnProbability probabilityHorizonDays } } }`,
      { id: top.node.customerId },
    );
    expect(one.customer.risk).toMatchObject({ modelVersion: version, probabilityHorizonDays: 90 });
    expect(one.customer.risk.churnProbability).toBeCloseTo(one.customer.risk.score / 100, 6);
  }, 120_000);

  it('restores the model active before, and refuses an unknown version', async () => {
    const restore = await run(FIT, ['--restore']);
    expect(restore.stderr).toBe('');
    expect(restore.stdout).toMatch(/^restored the default model \(replacing fitted-/);
    const { rows } = await stack.db.query(`SELECT version FROM risk_models WHERE active`);
    expect(rows).toHaveLength(0);
    const unknown = await run(FIT, ['--use', 'fitted-nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^risk:fit: no model "fitted-nope" in risk_models \(known: fitted-/,
    );
    const { rows: log } = await stack.db.query(
      `SELECT version, previous_version AS previous FROM risk_model_activations ORDER BY id`,
    );
    expect(log.at(-1)).toEqual({ version: null, previous: expect.stringMatching(/^fitted-/) });
  });

  it('backtests the active fitted model on a later window with its own bands', async () => {
    await run(FIT, ['--use', `fitted-${day(200)}-h90`]);
    const r = await run(BACKTEST, [
      '--cutoff',
      day(110),
      '--horizon',
      '105',
      '--model',
      'active',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    const { rows } = await stack.db.query(`SELECT bands FROM risk_models WHERE active`);
    expect(report.bandThresholds).toEqual(rows[0].bands);
    expect(report.bandRule).toMatch(/^the fitted model/);
    expect(report.calibrated).toBe(true);
    // every band is used, and the predicted chance rises from band to band; whether churn does
    // too is a question for a world of thousands of churners (docs/risk-model.md: 4.1 → 8.4 %),
    // not for the handful this small world has
    for (const b of report.bands) expect(b.customers).toBeGreaterThan(0);
    const means = report.bands.map((b: { meanScore: number }) => b.meanScore);
    expect([...means].sort((a, b) => a - b)).toEqual(means);
    expect(report.reliability).toHaveLength(10);
  }, 60_000);
});
