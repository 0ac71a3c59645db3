/**
 * Ordinary least squares with intercept — R `lm(y ~ x1 + …)` / `summary.lm`:
 * coefficients, SEs, t and p-values, R², adjusted R², residual σ, overall F.
 * Solved on centred data by Cholesky of XᵀX (fine for the small designs used here).
 */
import { tTwoSided } from './distributions.ts';
import { cholInverse } from './internal.ts';
import { fail } from './validate.ts';
import betainc from '@stdlib/math-base-special-betainc';

export interface LinearRegressionResult {
  terms: string[];
  /** [intercept, slopes…] */
  coefficients: number[];
  se: number[];
  t: number[];
  pValue: number[];
  intercept: number;
  slope: number;
  rSquared: number;
  adjRSquared: number;
  sigma: number;
  fStatistic: number;
  fDf: [number, number];
  fPValue: number;
  n: number;
}

/** Upper tail of F(d1, d2), R `pf(f, d1, d2, lower.tail = FALSE)` = I_{d2/(d2+d1 f)}(d2/2, d1/2). */
export function fUpper(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 1;
  return betainc(d2 / (d2 + d1 * f), d2 / 2, d1 / 2, true, false);
}

/** OLS fit, R `summary(lm(y ~ x))`. `x` is one predictor or a record of predictors. */
export function linearRegression(x: ArrayLike<number> | Record<string, ArrayLike<number>>, y: ArrayLike<number>): LinearRegressionResult {
  const cols: Record<string, ArrayLike<number>> = ArrayBuffer.isView(x) || Array.isArray(x) ? { x: x as ArrayLike<number> } : (x as Record<string, ArrayLike<number>>);
  const terms = Object.keys(cols);
  const p = terms.length;
  const n = y.length;
  for (const t of terms) if (cols[t].length !== n) fail(`${t} has length ${cols[t].length}, expected ${n}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i])) fail(`y[${i}] is not finite`);
    for (const t of terms) if (!Number.isFinite(cols[t][i])) fail(`${t}[${i}] is not finite`);
  }
  if (n <= p + 1) fail('not enough observations');
  const mx = terms.map((t) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += cols[t][i];
    return s / n;
  });
  let my = 0;
  for (let i = 0; i < n; i++) my += y[i];
  my /= n;
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const yi = y[i] - my;
    syy += yi * yi;
    for (let a = 0; a < p; a++) {
      const xa = cols[terms[a]][i] - mx[a];
      xty[a] += xa * yi;
      for (let b = 0; b <= a; b++) xtx[a * p + b] += xa * (cols[terms[b]][i] - mx[b]);
    }
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) xtx[b * p + a] = xtx[a * p + b];
  const { inv, rank } = cholInverse(xtx, p, 1e-10);
  if (rank < p) fail('predictors are collinear (singular XᵀX)');
  const beta = new Float64Array(p);
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) beta[a] += inv[a * p + b] * xty[b];
  let b0 = my;
  for (let a = 0; a < p; a++) b0 -= beta[a] * mx[a];
  let rss = 0;
  for (let i = 0; i < n; i++) {
    let f = b0;
    for (let a = 0; a < p; a++) f += beta[a] * cols[terms[a]][i];
    rss += (y[i] - f) ** 2;
  }
  const dfr = n - p - 1;
  const s2 = rss / dfr;
  const se = [0, ...Array.from({ length: p }, (_, a) => Math.sqrt(s2 * inv[a * p + a]))];
  // intercept variance: s2 (1/n + m' inv m)
  let q = 0;
  for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) q += mx[a] * inv[a * p + b] * mx[b];
  se[0] = Math.sqrt(s2 * (1 / n + q));
  const coefficients = [b0, ...beta];
  const t = coefficients.map((c, i) => c / se[i]);
  const r2 = 1 - rss / syy;
  const F = ((syy - rss) / p) / s2;
  return {
    terms: ['(Intercept)', ...terms],
    coefficients,
    se,
    t,
    pValue: t.map((v) => tTwoSided(v, dfr)),
    intercept: b0,
    slope: beta[0],
    rSquared: r2,
    adjRSquared: 1 - (1 - r2) * ((n - 1) / dfr),
    sigma: Math.sqrt(s2),
    fStatistic: F,
    fDf: [p, dfr],
    fPValue: fUpper(F, p, dfr),
    n,
  };
}
