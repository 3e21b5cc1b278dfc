import { join } from 'node:path';
import { RiskService } from '@staydesk/risk';
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

  it('activates a fitted model with bands of its own and lists high and critical customers', async () => {
    const fit = await run(FIT, ['--cutoff', day(200), '--horizon', '90', '--activate']);
    expect(fit.stderr).toBe('');
    expect(fit.stdout).toMatch(/and made it active/);
    const { rows } = await stack.db.query(`SELECT version, bands FROM risk_models WHERE active`);
    expect(rows).toHaveLength(1);
    const bands = rows[0].bands;
    expect(bands.medium).toBeLessThan(bands.high);
    expect(bands.high).toBeLessThan(bands.critical);
    expect(bands.critical).toBeLessThan(50); // probabilities, far under the default 75 points

    const risk = stack.worker!.get(RiskService);
    expect((await risk.reloadModel()).version).toBe(rows[0].version);
    await risk.rescoreAll();

    const count = async (band: string) =>
      (await ok(stack, admin, LIST, { f: { bands: [band] } })).riskList.edges.length;
    expect(await count('critical')).toBeGreaterThan(0);
    expect(await count('high')).toBeGreaterThan(0);
    expect(await count('medium')).toBeGreaterThan(0);
    expect(await count('low')).toBeGreaterThan(0);
  }, 120_000);

  it('backtests it on the later window with churn rising from low to critical', async () => {
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
    expect(report.bandThresholds.critical).toBeLessThan(50);
    const rate = (band: string) =>
      report.bands.find((b: { band: string }) => b.band === band).rate as number;
    for (const b of report.bands) expect(b.customers).toBeGreaterThan(0);
    expect(rate('critical') + rate('high')).toBeGreaterThan(rate('low') + rate('medium'));
  }, 60_000);
});
