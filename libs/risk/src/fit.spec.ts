import { fitLogistic, solveSpd } from './fit';
import { logistic } from './risk-model';

/** mulberry32, so the synthetic data is the same on every run. */
function rng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gradient of the penalised objective (intercept unpenalised), per example. */
function gradient(x: number[][], y: boolean[], b: number, w: number[], l2: number): number[] {
  const g = new Array(w.length + 1).fill(0);
  x.forEach((row, i) => {
    const r = logistic(b + row.reduce((s, v, j) => s + v * w[j], 0)) - (y[i] ? 1 : 0);
    g[0] += r;
    row.forEach((v, j) => (g[j + 1] += r * v));
  });
  w.forEach((wj, j) => (g[j + 1] += l2 * wj));
  return g.map((v) => v / x.length);
}

describe('solveSpd', () => {
  it('solves a symmetric positive definite system and refuses an indefinite one', () => {
    const x = solveSpd(
      [
        [4, 2, 0.4],
        [2, 5, 1],
        [0.4, 1, 3],
      ],
      [1, 2, 3],
    )!;
    expect(4 * x[0] + 2 * x[1] + 0.4 * x[2]).toBeCloseTo(1, 12);
    expect(2 * x[0] + 5 * x[1] + 1 * x[2]).toBeCloseTo(2, 12);
    expect(0.4 * x[0] + 1 * x[1] + 3 * x[2]).toBeCloseTo(3, 12);
    expect(
      solveSpd(
        [
          [1, 2],
          [2, 1],
        ],
        [1, 1],
      ),
    ).toBeNull();
  });
});

describe('fitLogistic', () => {
  it('reproduces a published maximum-likelihood fit (hours studied vs passing the exam)', () => {
    // The textbook example (Wikipedia, "Logistic regression"): b ≈ −4.0777, w ≈ 1.5046.
    const hours = [
      0.5, 0.75, 1, 1.25, 1.5, 1.75, 1.75, 2, 2.25, 2.5, 2.75, 3, 3.25, 3.5, 4, 4.25, 4.5, 4.75, 5,
      5.5,
    ];
    const pass = [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1].map(Boolean);
    const fit = fitLogistic(
      hours.map((h) => [h]),
      pass,
      { l2: 0 },
    );
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(15);
    expect(fit.intercept).toBeCloseTo(-4.0777, 3);
    expect(fit.weights[0]).toBeCloseTo(1.5046, 3);
  });

  it('recovers the weights that generated a large synthetic sample', () => {
    const next = rng(42);
    const truth = { b: -2, w: [1.5, -0.8, 0] };
    const x: number[][] = [];
    const y: boolean[] = [];
    for (let i = 0; i < 20_000; i++) {
      const row = [next() * 2, next() * 2 - 1, next()];
      x.push(row);
      y.push(next() < logistic(truth.b + row.reduce((s, v, j) => s + v * truth.w[j], 0)));
    }
    const fit = fitLogistic(x, y, { l2: 1 });
    expect(fit.converged).toBe(true);
    expect(fit.intercept).toBeCloseTo(truth.b, 1);
    fit.weights.forEach((w, j) => expect(Math.abs(w - truth.w[j])).toBeLessThan(0.1));
  });

  it('stops where the penalised gradient is zero', () => {
    const next = rng(7);
    const x = Array.from({ length: 300 }, () => [next(), next() * 3, next() > 0.8 ? 1 : 0]);
    const y = x.map((r) => next() < logistic(-1 + r[0] + 0.5 * r[1] - r[2]));
    for (const l2 of [0, 1, 25]) {
      const fit = fitLogistic(x, y, { l2 });
      expect(fit.converged).toBe(true);
      for (const g of gradient(x, y, fit.intercept, fit.weights, l2)) {
        expect(Math.abs(g)).toBeLessThan(1e-8);
      }
    }
  });

  it('gives the logit of the base rate and zero weights when the inputs say nothing', () => {
    const y = [true, false, false, false, true, false, false, false, false, false];
    const fit = fitLogistic(
      y.map(() => [0, 0]),
      y,
      { l2: 1 },
    );
    expect(fit.intercept).toBeCloseTo(Math.log(2 / 8), 10);
    expect(fit.weights).toEqual([0, 0]);
    expect(fit.logLoss).toBeCloseTo(-(0.2 * Math.log(0.2) + 0.8 * Math.log(0.8)), 10);
  });

  it('keeps weights finite on perfectly separable data, and shrinks them as λ grows', () => {
    const x = [[-2], [-1], [-0.5], [0.5], [1], [2]];
    const y = [false, false, false, true, true, true];
    const mild = fitLogistic(x, y, { l2: 0.1 });
    const strong = fitLogistic(x, y, { l2: 10 });
    expect(mild.converged && strong.converged).toBe(true);
    expect(Number.isFinite(mild.weights[0])).toBe(true);
    expect(mild.weights[0]).toBeGreaterThan(strong.weights[0]);
    expect(strong.weights[0]).toBeGreaterThan(0);
  });

  it('copes with a constant input column even without a penalty', () => {
    const x = [
      [1, 0],
      [1, 1],
      [1, 2],
      [1, 3],
      [1, 0],
      [1, 3],
    ];
    const y = [false, false, true, true, true, false];
    const fit = fitLogistic(x, y, { l2: 0 });
    expect(Number.isFinite(fit.intercept + fit.weights[0] + fit.weights[1])).toBe(true);
  });

  it('refuses degenerate input', () => {
    expect(() => fitLogistic([], [])).toThrow(/no training examples/);
    expect(() => fitLogistic([[1]], [true, false])).toThrow(/labels/);
    expect(() => fitLogistic([[1], [2, 3]], [true, false])).toThrow(/differ in length/);
    expect(() => fitLogistic([[1], [NaN]], [true, false])).toThrow(/finite/);
    expect(() => fitLogistic([[1], [2]], [true, true])).toThrow(/one class/);
    expect(() => fitLogistic([[1], [2]], [true, false], { l2: -1 })).toThrow(/l2/);
  });
});
