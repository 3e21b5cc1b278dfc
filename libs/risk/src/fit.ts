/**
 * L2-regularised logistic regression, fitted by Newton's method (iteratively reweighted least
 * squares) with a backtracking line search. Small on purpose: the risk model has 14 inputs and a
 * few thousand customers, so each Newton step is one pass over the data plus a 15×15 Cholesky
 * solve, and it converges in about ten steps to the exact optimum (no learning rate to tune).
 * Why not an npm package: see docs/risk-model.md ("Fitting weights").
 *
 * Minimises  J(b, w) = −Σᵢ [yᵢ·log pᵢ + (1 − yᵢ)·log(1 − pᵢ)] + (λ/2)·‖w‖²,
 * pᵢ = logistic(b + w·xᵢ). The intercept b is not penalised. λ = 1 is the MAP estimate under an
 * independent N(0, 1) prior on each weight: a weight of 1 logit per unit of input is plausible,
 * one of 5 needs a lot of evidence.
 */

export interface FitOptions {
  /** λ, the L2 penalty on the weights (not the intercept). Default 1. 0 = plain maximum likelihood. */
  l2?: number;
  /** Newton steps at most. Default 100. */
  maxIterations?: number;
  /** Stop when the largest gradient component, per example, is below this. Default 1e-9. */
  tolerance?: number;
}

export interface FitResult {
  intercept: number;
  weights: number[];
  /** Newton steps taken. */
  iterations: number;
  /** Whether the gradient reached the tolerance (false: stopped at maxIterations or stalled). */
  converged: boolean;
  /** Mean log loss on the training data at the solution (without the penalty). */
  logLoss: number;
}

/** log(1 + eᶻ) without overflow. */
const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Solves A·x = b for a symmetric positive definite A (Cholesky); null if A is not SPD. */
export function solveSpd(a: readonly (readonly number[])[], b: readonly number[]): number[] | null {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j];
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(sum > 0) || !Number.isFinite(sum)) return null;
        l[i][i] = Math.sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i][k] * y[k];
    y[i] = sum / l[i][i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= l[k][i] * x[k];
    x[i] = sum / l[i][i];
  }
  return x;
}

/**
 * Fits P(y = 1 | x) = logistic(b + w·x). `x` is one row of inputs per example (all the same
 * length, finite), `y` the labels. Throws on inconsistent or degenerate input (no rows, a
 * single class, non-finite values).
 */
export function fitLogistic(
  x: readonly (readonly number[])[],
  y: readonly boolean[],
  options: FitOptions = {},
): FitResult {
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-9;
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new RangeError('l2 must be a finite number ≥ 0');
  const n = x.length;
  if (n === 0) throw new RangeError('no training examples');
  if (y.length !== n) throw new RangeError(`${n} input rows but ${y.length} labels`);
  const d = x[0].length;
  for (const row of x) {
    if (row.length !== d) throw new RangeError('input rows differ in length');
    if (!row.every(Number.isFinite)) throw new RangeError('inputs must be finite numbers');
  }
  const positives = y.filter(Boolean).length;
  if (positives === 0 || positives === n) {
    throw new RangeError('labels are all one class: nothing to learn');
  }

  const p = d + 1; // parameters: [intercept, ...weights]
  const rows = x.map((r) => [1, ...r]);
  const target = y.map((v) => (v ? 1 : 0));
  const penalty = (beta: number[]) => {
    let s = 0;
    for (let j = 1; j < p; j++) s += beta[j] * beta[j];
    return (l2 / 2) * s;
  };
  const logLikelihoodLoss = (beta: number[]) => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < p; j++) z += beta[j] * rows[i][j];
      // −[y log σ(z) + (1 − y) log(1 − σ(z))] = softplus(z) − y·z
      loss += softplus(z) - target[i] * z;
    }
    return loss;
  };
  const objective = (beta: number[]) => logLikelihoodLoss(beta) + penalty(beta);

  // Start from the intercept-only optimum: logit of the base rate, every weight 0.
  let beta = new Array<number>(p).fill(0);
  beta[0] = Math.log(positives / (n - positives));
  let current = objective(beta);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    const gradient = new Array<number>(p).fill(0);
    const hessian = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      let z = 0;
      for (let j = 0; j < p; j++) z += beta[j] * r[j];
      const mu = sigmoid(z);
      const w = Math.max(mu * (1 - mu), 1e-12);
      const residual = mu - target[i];
      for (let j = 0; j < p; j++) {
        gradient[j] += residual * r[j];
        for (let k = 0; k <= j; k++) hessian[j][k] += w * r[j] * r[k];
      }
    }
    for (let j = 1; j < p; j++) {
      gradient[j] += l2 * beta[j];
      hessian[j][j] += l2;
    }
    for (let j = 0; j < p; j++) for (let k = j + 1; k < p; k++) hessian[j][k] = hessian[k][j];
    const steepest = Math.max(...gradient.map(Math.abs)) / n;
    if (steepest < tolerance) {
      converged = true;
      break;
    }
    // A singular Hessian (an input that is constant, or collinear ones, with λ = 0): a tiny ridge.
    let step = solveSpd(hessian, gradient);
    for (let jitter = 1e-10; step === null && jitter < 1e6; jitter *= 100) {
      step = solveSpd(
        hessian.map((row, j) => row.map((v, k) => (j === k ? v + jitter * (1 + v) : v))),
        gradient,
      );
    }
    if (step === null) break;
    const direction = step;
    // Newton decrement λ²/2 = ½ gᵀH⁻¹g: the objective's expected decrease. Once it is below what
    // double precision can resolve, this is the optimum, however large the raw gradient of a
    // feature on a big scale (days) still looks.
    const decrement = direction.reduce((sum, dj, j) => sum + dj * gradient[j], 0) / 2;
    if (decrement <= 1e-15 * (1 + Math.abs(current))) {
      converged = true;
      break;
    }
    iterations++;
    // Backtracking: a full Newton step is almost always right; halve it while it overshoots.
    let t = 1;
    let next = beta.map((b, j) => b - t * direction[j]);
    let value = objective(next);
    while (!(value <= current) && t > 1e-10) {
      t /= 2;
      next = beta.map((b, j) => b - t * direction[j]);
      value = objective(next);
    }
    if (!(value <= current)) {
      // No descent left: rounding noise at the optimum, unless the gradient is still large
      // (or Newton still expected a decrease well above what rounding can hide).
      converged = steepest < 1e-6 || decrement <= 1e-11 * (1 + Math.abs(current));
      break;
    }
    beta = next;
    current = value;
  }
  return {
    intercept: beta[0],
    weights: beta.slice(1),
    iterations,
    converged,
    logLoss: logLikelihoodLoss(beta) / n,
  };
}
