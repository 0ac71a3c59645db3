/**
 * Correlation — R `cor.test(x, y, method = "pearson" | "spearman")` and Kendall's tau-b
 * (`cor(x, y, method = "kendall")`).
 * Pearson: t = r·sqrt(df/(1 − r²)), df = n − 2, Fisher-z CI tanh(atanh r ± z/sqrt(n − 3)).
 * Spearman: Pearson r of mid-ranks; S = (n³ − n)(1 − ρ)/6; asymptotic-t p-value (exact = FALSE).
 */
import { tTwoSided, zCritical } from './distributions.ts';
import { fail } from './validate.ts';

function checkPair(x: ArrayLike<number>, y: ArrayLike<number>, min: number): void {
  if (x.length !== y.length) fail(`x (${x.length}) and y (${y.length}) must have equal lengths`);
  if (x.length < min) fail(`need at least ${min} observations`);
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) fail(`x[${i}] or y[${i}] is not finite`);
}

function pearsonR(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = x[i] - mx;
    const b = y[i] - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  if (!(sxx > 0 && syy > 0)) fail('standard deviation is zero');
  return sxy / Math.sqrt(sxx * syy);
}

export interface PearsonResult {
  r: number;
  t: number;
  df: number;
  pValue: number;
  /** alias of pValue */
  p: number;
  confInt: [number, number];
  n: number;
}

/** Pearson correlation test, R `cor.test(x, y)`. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>, confLevel = 0.95): PearsonResult {
  checkPair(x, y, 3);
  const n = x.length;
  const r = pearsonR(x, y);
  const df = n - 2;
  const t = r * Math.sqrt(df / (1 - r * r));
  let ci: [number, number] = [NaN, NaN];
  if (n > 3) {
    const z = Math.atanh(r);
    const s = zCritical(confLevel) / Math.sqrt(n - 3);
    ci = [Math.tanh(z - s), Math.tanh(z + s)];
  }
  const pv = tTwoSided(t, df);
  return { r, t, df, pValue: pv, p: pv, confInt: ci, n };
}

/** Average (mid) ranks, 1-based, R `rank(x, ties.method = "average")`. */
export function midRanks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[idx[j + 1]] === x[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

export interface SpearmanResult {
  rho: number;
  S: number;
  pValue: number;
  /** alias of pValue */
  p: number;
  n: number;
}

/** Spearman rank correlation, R `cor.test(x, y, method = "spearman", exact = FALSE)`. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): SpearmanResult {
  checkPair(x, y, 3);
  const n = x.length;
  const rho = pearsonR(midRanks(x), midRanks(y));
  const S = ((n * n * n - n) * (1 - rho)) / 6;
  const t = rho * Math.sqrt((n - 2) / (1 - rho * rho));
  const pv = tTwoSided(t, n - 2);
  return { rho, S, pValue: pv, p: pv, n };
}

/** Kendall's tau-b, R `cor(x, y, method = "kendall")`: (n_c − n_d)/sqrt((n0 − n_x)(n0 − n_y)) (Kendall 1945), O(n²). */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPair(x, y, 2);
  const n = x.length;
  let s = 0;
  let tx = 0;
  let ty = 0;
  let n0 = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = Math.sign(x[i] - x[j]);
      const b = Math.sign(y[i] - y[j]);
      s += a * b;
      n0++;
      if (a === 0) tx++;
      if (b === 0) ty++;
    }
  }
  return s / Math.sqrt((n0 - tx) * (n0 - ty));
}
