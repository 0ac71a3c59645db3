/**
 * Agreement statistics for a prediction against a reference (FaceAge vs chronological age):
 * mean absolute error, RMSE, median absolute error, and Bland–Altman analysis
 * (Bland & Altman 1986: bias, SD of differences, limits of agreement, SE(LoA) ≈ sqrt(3·sd²/n)
 * with a qt(0.975, n − 1) multiplier; proportional bias = `lm(diff ~ average)`).
 */
import { tQuantile, zCritical } from './distributions.ts';
import { fail } from './validate.ts';
import { linearRegression } from './regression.ts';

function diffs(pred: ArrayLike<number>, actual: ArrayLike<number>): Float64Array {
  if (pred.length !== actual.length) fail(`lengths differ (${pred.length} vs ${actual.length})`);
  if (pred.length === 0) fail('no observations');
  const d = new Float64Array(pred.length);
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(pred[i]) || !Number.isFinite(actual[i])) fail(`value ${i} is not finite`);
    d[i] = pred[i] - actual[i];
  }
  return d;
}

/** Mean absolute error, R `mean(abs(pred - actual))` (the paper's MAE). */
export function meanAbsoluteError(pred: ArrayLike<number>, actual: ArrayLike<number>): number {
  const d = diffs(pred, actual);
  let s = 0;
  for (const v of d) s += Math.abs(v);
  return s / d.length;
}

/** Root mean squared error, R `sqrt(mean((pred - actual)^2))`. */
export function rootMeanSquaredError(pred: ArrayLike<number>, actual: ArrayLike<number>): number {
  const d = diffs(pred, actual);
  let s = 0;
  for (const v of d) s += v * v;
  return Math.sqrt(s / d.length);
}

/** Sample median, R `median(x)` (mean of the two middle values for even n). */
export function median(x: ArrayLike<number>): number {
  const s = Float64Array.from(x).sort();
  const n = s.length;
  if (n === 0) fail('no observations');
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Median absolute error, R `median(abs(pred - actual))`. */
export function medianAbsoluteError(pred: ArrayLike<number>, actual: ArrayLike<number>): number {
  return median(Array.from(diffs(pred, actual), Math.abs));
}

export interface BlandAltmanResult {
  n: number;
  bias: number;
  sdDiff: number;
  /** limits of agreement bias ∓ 1.96·sd */
  loaLower: number;
  loaUpper: number;
  /** limits with qnorm(0.975) instead of 1.96 */
  loaLowerZ: number;
  loaUpperZ: number;
  biasCi: [number, number];
  loaSe: number;
  loaLowerCi: [number, number];
  loaUpperCi: [number, number];
  proportionalBias: { intercept: number; slope: number; pSlope: number };
}

/**
 * Bland–Altman agreement of a (e.g. FaceAge) against b (chronological age); differences a − b.
 * R: `mean(d)`, `sd(d)`, bias ∓ 1.96·sd, `t.test(d)$conf.int`, SE(LoA) = sqrt(3·sd²/n) with
 * `qt(0.975, n − 1)` (Bland & Altman 1986, Lancet), proportional bias `lm(d ~ (a + b)/2)`.
 */
export function blandAltman(a: ArrayLike<number>, b: ArrayLike<number>): BlandAltmanResult {
  const d = diffs(a, b);
  const n = d.length;
  if (n < 3) fail('need at least 3 pairs');
  let m = 0;
  for (const v of d) m += v;
  m /= n;
  let ss = 0;
  for (const v of d) ss += (v - m) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  const z = zCritical(0.95);
  const q = tQuantile(0.975, n - 1);
  const seBias = sd / Math.sqrt(n);
  const loaSe = Math.sqrt((3 * sd * sd) / n);
  const lo = m - 1.96 * sd;
  const up = m + 1.96 * sd;
  const avg = Array.from(d, (_, i) => (a[i] + b[i]) / 2);
  const lm = linearRegression(avg, d);
  return {
    n,
    bias: m,
    sdDiff: sd,
    loaLower: lo,
    loaUpper: up,
    loaLowerZ: m - z * sd,
    loaUpperZ: m + z * sd,
    biasCi: [m - q * seBias, m + q * seBias],
    loaSe,
    loaLowerCi: [lo - q * loaSe, lo + q * loaSe],
    loaUpperCi: [up - q * loaSe, up + q * loaSe],
    proportionalBias: { intercept: lm.intercept, slope: lm.slope, pSlope: lm.pValue[1] },
  };
}
