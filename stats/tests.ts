/**
 * Student t-tests — R `t.test`: one-sample, paired (= one-sample on differences), Welch
 * two-sample (Welch–Satterthwaite df) and pooled-variance two-sample. Two-sided p-values
 * 2·P(T > |t|) computed as upper tails.
 */
import { tQuantile, tTwoSided } from './distributions.ts';
import { checkFiniteArray, fail } from './validate.ts';

export interface TTestResult {
  statistic: number;
  df: number;
  pValue: number;
  /** alias of pValue (R's field name) */
  p: number;
  confInt: [number, number];
  /** mean of x (one-sample), mean difference (paired), or [mean x, mean y] (two-sample) */
  estimate: number[];
  stdErr: number;
  method: string;
}

function meanVar(x: ArrayLike<number>): [number, number] {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
  return [m, v / (n - 1)];
}

/**
 * t-test, R `t.test(x, y, mu, paired, var.equal, conf.level)`.
 * One-sample when y is absent; paired when `paired`; otherwise Welch unless `varEqual`.
 */
export interface TTestInput {
  x: ArrayLike<number>;
  y?: ArrayLike<number>;
  mu?: number;
  paired?: boolean;
  varEqual?: boolean;
  confLevel?: number;
}

/**
 * t-test, R `t.test(x, y, mu, paired, var.equal, conf.level)`. Call as `tTest({ x, y, paired })`
 * or positionally `tTest(x, y?, { paired, varEqual, mu, confLevel })`.
 */
export function tTest(input: TTestInput | ArrayLike<number>, y?: ArrayLike<number> | null, opts: Omit<TTestInput, 'x' | 'y'> = {}): TTestResult {
  const inp: TTestInput = Array.isArray(input) || ArrayBuffer.isView(input) ? { x: input as ArrayLike<number>, y: y ?? undefined, ...opts } : (input as TTestInput);
  const r = tTestImpl(inp);
  return { ...r, p: r.pValue };
}

function tTestImpl(input: TTestInput): Omit<TTestResult, 'p'> {
  const mu = input.mu ?? 0;
  const cl = input.confLevel ?? 0.95;
  checkFiniteArray('x', input.x);
  if (input.y) checkFiniteArray('y', input.y);
  let x = input.x;
  let method = 'One Sample t-test';
  if (input.paired) {
    if (!input.y) fail('paired t-test needs y');
    if (input.y.length !== x.length) fail('paired x and y must have equal lengths');
    const y = input.y;
    x = Array.from(x, (v, i) => v - y[i]);
    method = 'Paired t-test';
  }
  if (!input.y || input.paired) {
    const n = x.length;
    if (n < 2) fail('not enough observations');
    const [m, v] = meanVar(x);
    const se = Math.sqrt(v / n);
    if (!(se > 0)) fail('data are essentially constant');
    const df = n - 1;
    const t = (m - mu) / se;
    const q = tQuantile(1 - (1 - cl) / 2, df);
    return { statistic: t, df, pValue: tTwoSided(t, df), confInt: [m - q * se + 0, m + q * se], estimate: [m], stdErr: se, method };
  }
  const y = input.y;
  const nx = x.length;
  const ny = y.length;
  const [mx, vx] = meanVar(x);
  const [my, vy] = meanVar(y);
  let se: number;
  let df: number;
  if (input.varEqual) {
    if (nx + ny < 3) fail('not enough observations');
    df = nx + ny - 2;
    let v = 0;
    if (nx > 1) v += (nx - 1) * vx;
    if (ny > 1) v += (ny - 1) * vy;
    v /= df;
    se = Math.sqrt(v * (1 / nx + 1 / ny));
    method = ' Two Sample t-test';
  } else {
    if (nx < 2 || ny < 2) fail('not enough observations');
    const sx = vx / nx;
    const sy = vy / ny;
    se = Math.sqrt(sx + sy);
    df = (sx + sy) ** 2 / (sx ** 2 / (nx - 1) + sy ** 2 / (ny - 1));
    method = 'Welch Two Sample t-test';
  }
  if (!(se > 0)) fail('data are essentially constant');
  const d = mx - my;
  const t = (d - mu) / se;
  const q = tQuantile(1 - (1 - cl) / 2, df);
  return { statistic: t, df, pValue: tTwoSided(t, df), confInt: [d - q * se, d + q * se], estimate: [mx, my], stdErr: se, method };
}
