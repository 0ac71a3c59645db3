/**
 * Kaplan–Meier estimator — R `survival::survfit(Surv(time, event) ~ 1)` with
 * `summary.survfit` / `quantile.survfit` / `print.survfit(rmean = tau)` conventions.
 *
 * Formulas: product-limit S(t) = ∏(1 − d_i/n_i) (Kaplan & Meier 1958);
 * Greenwood variance Σ d/(n(n−d)) (Greenwood 1926) as in `survfitKM`;
 * confidence intervals as in survival's `survfit_confint` ("log", "log-log", "plain");
 * median / quantiles as in `survmean`/`quantile.survfit` (midpoint rule, tolerance sqrt(eps));
 * restricted mean and its SE as in `survmean` (Miller 1981, pp. 195–196).
 */
import { zCritical } from './distributions.ts';
import { checkSurv, fail } from './validate.ts';
import { rankDistinct, timefix } from './internal.ts';

export type ConfType = 'log' | 'log-log' | 'plain';

export interface KaplanMeierInput {
  time: ArrayLike<number>;
  event: ArrayLike<number>;
  confType?: ConfType;
  confLevel?: number;
  /** upper limit for the restricted mean (R `rmean = tau`) */
  tau?: number;
  /**
   * Accept data without any death (R's survfit does: S = 1 throughout, median undefined).
   * Off by default, so a missing event column is caught; dashboards turn it on per group.
   */
  allowNoEvents?: boolean;
}

export interface KaplanMeierResult {
  time: number[];
  nRisk: number[];
  nEvent: number[];
  nCensor: number[];
  survival: number[];
  /** Greenwood SE on the survival scale (summary.survfit()$std.err); NaN once S = 0 (0·Inf, as R). */
  stdErr: number[];
  /** SE of −log S (survfit()$std.err); Infinity once S = 0. */
  stdErrLog: number[];
  /** pointwise CI for the chosen confType; null where R gives NA */
  lower: (number | null)[];
  upper: (number | null)[];
  median: number | null;
  medianLower: number | null;
  medianUpper: number | null;
  rmean?: number;
  rmeanSe?: number;
  /** Nelson–Aalen cumulative hazard Σ d/n and its SE sqrt(Σ d/n²) */
  cumhaz: number[];
  stdChaz: number[];
  n: number;
  nEvents: number;
  confType: ConfType;
  confLevel: number;
  tau?: number;
}

/**
 * Pointwise CI of a survival curve given S and the SE of −log S (or of H),
 * as survival's `survfit_confint(p, std.err, logse = TRUE, conf.type, conf.int)`.
 */
export function survConfInt(
  s: number,
  seLog: number,
  confType: ConfType,
  z: number,
): [number | null, number | null] {
  if (confType === 'log') {
    if (s === 0 || Number.isNaN(s)) return [null, null];
    if (!Number.isFinite(seLog)) return [null, null];
    const ls = Math.log(s);
    return [Math.exp(ls - z * seLog), Math.min(Math.exp(ls + z * seLog), 1)];
  }
  if (confType === 'log-log') {
    if (s === 0 || s === 1 || Number.isNaN(s)) return [null, null];
    if (!Number.isFinite(seLog)) return [null, null];
    const ls = Math.log(s);
    const a = (z * seLog) / Math.abs(ls);
    // S^exp(±a) written as exp(-exp(log(-log S) ± ...)) in R; identical algebra
    return [Math.pow(s, Math.exp(a)), Math.pow(s, Math.exp(-a))];
  }
  // plain
  const se = seLog * s;
  if (Number.isNaN(se)) return [null, null];
  return [Math.max(s - z * se, 0), Math.min(s + z * se, 1)];
}

/**
 * survival's `survmean` median rule ("minmin"): first time where y < 0.5 + tol;
 * if that y equals 0.5 within tol, the midpoint to the next time with a lower y.
 * NA values (null/NaN) are skipped. Returns null if never reached.
 */
export function medianRule(y: ArrayLike<number | null>, x: ArrayLike<number>): number | null {
  const tol = Math.sqrt(2.220446049250313e-16);
  let first = -1;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v === null || Number.isNaN(v)) continue;
    if (v < 0.5 + tol) {
      first = i;
      break;
    }
  }
  if (first < 0) return null;
  const y1 = y[first] as number;
  if (Math.abs(y1 - 0.5) < tol) {
    for (let i = first + 1; i < y.length; i++) {
      const v = y[i];
      if (v === null || Number.isNaN(v)) continue;
      if (v < 0.5 + tol && v < y1) return (x[first] + x[i]) / 2;
    }
  }
  return x[first];
}

/**
 * survival's `findq` (quantile.survfit): where 1 − S crosses p, with the midpoint rule
 * for flat stretches equal to p within tol. Curve values may be null (NA).
 */
export function findQuantile(time: ArrayLike<number>, surv: ArrayLike<number | null>, p: number, firstx = 0): number | null {
  const tol = Math.sqrt(2.220446049250313e-16);
  // x = c(firstx, time), y = c(0, 1 - surv)
  const n0 = time.length + 1;
  const xs: number[] = new Array(n0);
  const ys: (number | null)[] = new Array(n0);
  xs[0] = firstx;
  ys[0] = 0;
  for (let i = 0; i < time.length; i++) {
    xs[i + 1] = time[i];
    const s = surv[i];
    ys[i + 1] = s === null || Number.isNaN(s) ? null : 1 - s;
  }
  let ymax = -Infinity;
  for (const v of ys) if (v !== null && v > ymax) ymax = v;
  if (ymax < p) return null;
  const xmax = xs[n0 - 1];
  // drop duplicated y (keep first occurrence; NA counts as a value too)
  const seen = new Set<number | null>();
  const x: number[] = [];
  const y: (number | null)[] = [];
  for (let i = 0; i < n0; i++) {
    const key = ys[i];
    if (seen.has(key)) continue;
    seen.add(key);
    x.push(xs[i]);
    y.push(ys[i]);
  }
  const n = y.length;
  // approx(y + off, 1:n, p, "constant", f = 1) after dropping NA pairs
  const approxIdx = (off: number): number | null => {
    const xx: number[] = [];
    const ii: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = y[i];
      if (v === null) continue;
      xx.push(v + off);
      ii.push(i);
    }
    if (xx.length === 0) return null;
    // xx is increasing (y distinct, monotone)
    if (p < xx[0] || p > xx[xx.length - 1]) return null;
    for (let k = 0; k < xx.length; k++) {
      if (xx[k] === p) return ii[k];
      if (xx[k] > p) return ii[k];
    }
    return ii[ii.length - 1];
  };
  if (p === 0) return x[0];
  const i1 = approxIdx(tol);
  const i2 = approxIdx(-tol);
  let q: number | null = i1 !== null && i2 !== null ? (x[i1] + x[i2]) / 2 : null;
  const yl = y[n - 1];
  if (yl !== null && Math.abs(p - yl) < tol && i1 !== null) q = (x[i1] + xmax) / 2;
  return q;
}

/**
 * Restricted mean survival ∫₀^τ S(u)du (curve carried flat to τ) and its SE
 * sqrt(Σ_{t_i ≤ τ} A_i² d_i/(n_i(n_i−d_i))) with A_i = ∫_{t_i}^τ S — R `survmean`.
 */
export function restrictedMean(
  time: ArrayLike<number>,
  surv: ArrayLike<number>,
  nRisk: ArrayLike<number>,
  nEvent: ArrayLike<number>,
  tau: number,
): { rmean: number; rmeanSe: number } {
  const tt: number[] = [];
  const ss: number[] = [];
  const hh: number[] = [];
  for (let i = 0; i < time.length && time[i] <= tau; i++) {
    tt.push(time[i]);
    ss.push(surv[i]);
    const nd = nRisk[i] - nEvent[i];
    hh.push(nd === 0 ? 0 : nEvent[i] / (nRisk[i] * nd));
  }
  const k = tt.length;
  // rectangles r_1..r_{k+1}
  const rect = new Float64Array(k + 1);
  let prevT = Math.min(0, time.length ? time[0] : 0);
  let prevS = 1;
  for (let i = 0; i < k; i++) {
    rect[i] = (tt[i] - prevT) * prevS;
    prevT = tt[i];
    prevS = ss[i];
  }
  rect[k] = (tau - prevT) * prevS;
  let mean = 0;
  for (let i = 0; i <= k; i++) mean += rect[i];
  let A = 0;
  let v = 0;
  for (let i = k - 1; i >= 0; i--) {
    A += rect[i + 1];
    v += A * A * hh[i];
  }
  return { rmean: mean, rmeanSe: Math.sqrt(v) };
}

/**
 * Kaplan–Meier curve (R `survfit(Surv(time, event) ~ 1, conf.type = confType)`),
 * one row per distinct observed time.
 */
export function kaplanMeier(input: KaplanMeierInput): KaplanMeierResult {
  const { event } = input;
  checkSurv(input.time, event, { needEvent: !input.allowNoEvents });
  const time = timefix(input.time);
  const confType: ConfType = ((input.confType as string) === 'loglog' ? 'log-log' : input.confType) ?? 'log';
  if (!['log', 'log-log', 'plain'].includes(confType)) fail(`unknown confType ${confType}`);
  const confLevel = input.confLevel ?? 0.95;
  if (!(confLevel > 0 && confLevel < 1)) fail('confLevel must be in (0, 1)');
  const z = zCritical(confLevel);
  const n = time.length;
  const { u: ut, idx } = rankDistinct(time);
  const k = ut.length;
  const cnt = new Float64Array(k);
  const dth = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    cnt[idx[i]]++;
    if (event[i] === 1) dth[idx[i]]++;
  }
  const out: KaplanMeierResult = {
    time: Array.from(ut),
    nRisk: new Array(k),
    nEvent: new Array(k),
    nCensor: new Array(k),
    survival: new Array(k),
    stdErr: new Array(k),
    stdErrLog: new Array(k),
    lower: new Array(k),
    upper: new Array(k),
    median: null,
    medianLower: null,
    medianUpper: null,
    cumhaz: new Array(k),
    stdChaz: new Array(k),
    n,
    nEvents: 0,
    confType,
    confLevel,
  };
  let atRisk = n;
  let s = 1;
  let gw = 0;
  let H = 0;
  let vH = 0;
  let nev = 0;
  for (let j = 0; j < k; j++) {
    const d = dth[j];
    const r = atRisk;
    nev += d;
    if (d > 0) {
      s *= 1 - d / r;
      gw = r === d ? Infinity : gw + d / (r * (r - d));
      H += d / r;
      vH += d / (r * r);
    }
    const seLog = Math.sqrt(gw);
    out.nRisk[j] = r;
    out.nEvent[j] = d;
    out.nCensor[j] = cnt[j] - d;
    out.survival[j] = s;
    out.stdErrLog[j] = seLog;
    out.stdErr[j] = s * seLog; // NaN when s = 0 and seLog = Inf, as R
    const [lo, up] = survConfInt(s, seLog, confType, z);
    out.lower[j] = lo;
    out.upper[j] = up;
    out.cumhaz[j] = H;
    out.stdChaz[j] = Math.sqrt(vH);
    atRisk -= cnt[j];
  }
  out.nEvents = nev;
  out.median = medianRule(out.survival, out.time);
  out.medianLower = medianRule(out.lower, out.time);
  out.medianUpper = medianRule(out.upper, out.time);
  if (input.tau !== undefined) {
    if (!Number.isFinite(input.tau)) fail('tau must be finite');
    const rm = restrictedMean(out.time, out.survival, out.nRisk, out.nEvent, input.tau);
    out.rmean = rm.rmean;
    out.rmeanSe = rm.rmeanSe;
    out.tau = input.tau;
  }
  return out;
}

/**
 * Quantiles of a KM fit with CI — R `quantile(fit, probs)` (quantile.survfit / findq).
 */
export function kmQuantile(fit: KaplanMeierResult, probs: number[] = [0.25, 0.5, 0.75]): {
  probs: number[];
  quantile: (number | null)[];
  lower: (number | null)[];
  upper: (number | null)[];
} {
  return {
    probs,
    quantile: probs.map((p) => findQuantile(fit.time, fit.survival, p)),
    lower: probs.map((p) => findQuantile(fit.time, fit.lower, p)),
    upper: probs.map((p) => findQuantile(fit.time, fit.upper, p)),
  };
}

/**
 * Survival at requested times — R `summary(fit, times, extend = FALSE)`: values at the last
 * observed time ≤ t (1 before the first), n.risk = number with time ≥ t; times beyond the last
 * observed time are omitted.
 */
export function kmAtTimes(fit: KaplanMeierResult, times: number[]): {
  time: number[];
  nRisk: number[];
  survival: number[];
  stdErr: number[];
  lower: (number | null)[];
  upper: (number | null)[];
} {
  const res = { time: [] as number[], nRisk: [] as number[], survival: [] as number[], stdErr: [] as number[], lower: [] as (number | null)[], upper: [] as (number | null)[] };
  const last = fit.time[fit.time.length - 1];
  for (const t of times) {
    if (t > last) continue;
    let j = -1;
    for (let i = 0; i < fit.time.length && fit.time[i] <= t; i++) j = i;
    // n at risk at t: number with time >= t
    let nr = 0;
    for (let i = fit.time.length - 1; i >= 0 && fit.time[i] >= t; i--) nr = fit.nRisk[i];
    res.time.push(t);
    res.nRisk.push(nr);
    if (j < 0) {
      res.survival.push(1);
      res.stdErr.push(0);
      // before the first observed time summary.survfit reports S = 1 with CI [1, 1]
      res.lower.push(1);
      res.upper.push(1);
    } else {
      res.survival.push(fit.survival[j]);
      res.stdErr.push(fit.stdErr[j]);
      res.lower.push(fit.lower[j]);
      res.upper.push(fit.upper[j]);
    }
  }
  return res;
}
