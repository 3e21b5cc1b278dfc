import { CHURN_GRACE_DAYS, churnProbability, churnTime, monthlyHazard } from './churn';
import { DAY } from './model';
import { streamRng } from './rng';
import { simulateWorld } from './seed';
import { testWorld } from './world.fixture';

const MONTH = 30 * DAY;

describe('churn hazard', () => {
  it('rises with service pain and stays a probability', () => {
    const calm = monthlyHazard(0, 0);
    const hurt = monthlyHazard(0.5, 0);
    expect(hurt).toBeGreaterThan(calm * 5);
    for (const pain of [0, 0.3, 1, 5]) {
      for (const noise of [-4, 0, 4]) {
        const h = monthlyHazard(pain, noise);
        expect(h).toBeGreaterThan(0);
        expect(h).toBeLessThan(1);
      }
    }
  });

  it('gives a churn probability per window that grows with the window and skips the grace period', () => {
    expect(churnProbability(0.02, 0, 0, 3 * MONTH)).toBeCloseTo(1 - 0.98 ** 3, 10);
    expect(churnProbability(0.02, 0, 0, 6 * MONTH)).toBeGreaterThan(
      churnProbability(0.02, 0, 0, 3 * MONTH),
    );
    // half of the window is still in the grace period: half the exposure
    expect(churnProbability(0.02, 45 * DAY, 0, 90 * DAY)).toBeCloseTo(1 - 0.98 ** 1.5, 10);
    expect(churnProbability(0.02, 100 * DAY, 0, 90 * DAY)).toBe(0);
  });

  it('draws churn times whose monthly rate is flat over time (stationary) and matches the hazard', () => {
    const rng = streamRng(1, 'test');
    const hazard = 0.03;
    const n = 40_000;
    const times = Array.from({ length: n }, () => churnTime(hazard, 0, 24 * MONTH, rng.next()));
    expect(times.every((t) => t === Infinity || (t >= 0 && t < 24 * MONTH))).toBe(true);
    let atRisk = n;
    const rates: number[] = [];
    for (let m = 0; m < 24; m++) {
      const churned = times.filter((t) => t >= m * MONTH && t < (m + 1) * MONTH).length;
      rates.push(churned / atRisk);
      atRisk -= churned;
    }
    // every month within ±20 % of the hazard (the smallest month has ~600 churners: σ ≈ 4 %)
    for (const r of rates) expect(Math.abs(r - hazard)).toBeLessThan(0.2 * hazard);
    const firstYear = rates.slice(0, 12).reduce((a, b) => a + b) / 12;
    const secondYear = rates.slice(12).reduce((a, b) => a + b) / 12;
    expect(Math.abs(firstYear - secondYear)).toBeLessThan(0.1 * hazard);
  });

  it('never churns before the hazard starts, nor with a zero hazard', () => {
    const rng = streamRng(2, 'test');
    for (let i = 0; i < 1000; i++) {
      expect(churnTime(0.5, 10 * DAY, 1e15, rng.next())).toBeGreaterThanOrEqual(10 * DAY);
    }
    expect(churnTime(0, 0, 1e15, 0.99)).toBe(Infinity);
  });
});

describe('churn in a simulated world', () => {
  const world = testWorld({ customers: 400, tickets: 2000, months: 12, seed: 5 });
  const { customers } = simulateWorld(world);

  it('gives every customer a hazard from its pain, starting 60 days after sign-up', () => {
    for (const c of customers) {
      expect(c.hazard).toBeGreaterThan(0);
      expect(c.hazard).toBeLessThan(1);
      expect(c.hazardFrom).toBe(c.since + CHURN_GRACE_DAYS * DAY);
    }
    // painful customers carry a higher hazard on average (noise aside)
    const sorted = [...customers].sort((a, b) => a.pain - b.pain);
    const mean = (xs: typeof customers) => xs.reduce((s, c) => s + c.hazard, 0) / xs.length;
    expect(mean(sorted.slice(-100))).toBeGreaterThan(1.5 * mean(sorted.slice(0, 100)));
  });

  it('churns customers only after their hazard starts, and they file nothing afterwards', () => {
    const churned = customers.filter((c) => c.status === 'churned');
    expect(churned.length).toBeGreaterThan(20);
    for (const c of churned) {
      expect(c.churnedAt!).toBeGreaterThanOrEqual(c.hazardFrom);
      expect(c.churnedAt!).toBeLessThan(world.now);
      expect(c.tickets.every((t) => t.createdAt < c.churnedAt!)).toBe(true);
      expect(c.statusChanges[0]).toMatchObject({ from: 'active', to: 'churned' });
    }
  });
});
