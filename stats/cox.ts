/**
 * Cox proportional hazards model — R `survival::coxph(Surv(time, event) ~ x1 + x2 + …,
 * ties = "efron" | "breslow")` (survival 3.x, C routine `coxfit6`).
 *
 * Partial likelihood with Efron (1977) or Breslow (1974) handling of tied event times;
 * Newton–Raphson with step halving, convergence when |1 − L_old/L_new| ≤ eps (1e-9), at most
 * iter.max = 20 iterations, on covariates centred (except columns whose values are all in
 * {−1, 0, 1}, R's `nocenter`) and scaled by n/Σ|x−mean| as coxfit6 does. Score (log-rank) test
 * at β = 0, Wald test βᵀV⁻¹β (`coxph.wtest`), likelihood-ratio test 2(ℓ(β̂) − ℓ(0)).
 * Concordance of the linear predictor as `concordance(fit)` (Harrell's C, IJ SE).
 */
import { chisqUpper, normalTwoSided, zCritical } from './distributions.ts';
import { checkSurv, fail, isMissing, StatsInputError } from './validate.ts';
import { cholInverse, countingOrder, quadForm, rankDistinct, timefixRanked } from './internal.ts';
import { concordance } from './concordance.ts';

export type Ties = 'efron' | 'breslow';

export interface CoxInput {
  time: ArrayLike<number>;
  event: ArrayLike<number>;
  covariates: Record<string, ArrayLike<number | null>>;
  ties?: Ties;
  /** optional stratification variable (separate baseline hazard per stratum, R `strata()`) */
  strata?: ArrayLike<string | number | null>;
  /** convergence tolerance (R coxph.control eps, default 1e-9) */
  eps?: number;
  /** maximum Newton–Raphson iterations (R iter.max, default 20) */
  iterMax?: number;
  /** skip the concordance computation (faster) */
  skipConcordance?: boolean;
  /**
   * Internal: an earlier unstratified fit on the same time and event vectors (e.g. the larger
   * model of a nested likelihood-ratio test). When this fit has the same complete cases, its
   * sorted time/status/row order is reused instead of sorting again; the result is identical.
   * Checked row by row; falls back to the full preparation on any mismatch.
   */
  reuseRowsOf?: CoxResult;
}

export interface ChisqTest {
  chisq: number;
  df: number;
  pValue: number;
}

/** Internal data retained for predictSurvival / coxZph (sorted by stratum, then time). */
export interface CoxModelData {
  n: number;
  p: number;
  time: Float64Array;
  status: Uint8Array;
  /** covariates, row-major n×p, original (uncentred) scale */
  x: Float64Array;
  /** stratum index per sorted row (0 when unstratified) */
  strata: Int32Array;
  strataLevels: (string | number)[];
  /** input row (0-based) of each sorted row */
  rowIndex: Int32Array;
}

export interface CoxResult {
  terms: string[];
  coef: number[];
  se: number[];
  hazardRatio: number[];
  lower: number[];
  upper: number[];
  z: number[];
  pValue: number[];
  /** inverse information matrix */
  variance: number[][];
  /** centring values, R `fit$means` */
  means: number[];
  logLikNull: number;
  logLik: number;
  lrTest: ChisqTest;
  waldTest: ChisqTest;
  scoreTest: ChisqTest;
  concordance: number;
  concordanceSe: number;
  n: number;
  nEvent: number;
  nDropped: number;
  /** 0-based input rows dropped for missing values (na.omit) */
  droppedRows: number[];
  iterations: number;
  converged: boolean;
  ties: Ties;
  warnings: string[];
  /** centred linear predictor per input row (NaN for dropped rows), R `predict(fit, type = "lp")` */
  linearPredictor: number[];
  model: CoxModelData;
}

const TOLER_CHOL = Math.pow(2.220446049250313e-16, 0.75);

/**
 * One evaluation of the log partial likelihood, score u and information imat at beta
 * (the quantities of survival's coxfit6_iter, Breslow or Efron).
 *
 * Data are sorted by (stratum, time) and stored column-major (xc[j*n + i]). The information
 * matrix Σ_t w_t·(E_t[xxᵀ] − E_t[x]E_t[x]ᵀ) is assembled in two parts: the E[x]E[x]ᵀ part per
 * event time (O(p²) each), and the E[xxᵀ] part as one weighted cross-product Xᵀ diag(v) X, where
 * v_i = risk_i·(Σ_{event times t ≤ t_i} c_t + δ_i·e_{t_i}) collects every risk set person i belongs
 * to (c_t = Σ_k 1/D_k, e_t = Σ_k (f_k − 1)/D_k for Efron's k-th of d tied deaths, f_k = (k+1)/d).
 */
function coxIter(
  n: number,
  p: number,
  xc: Float64Array,
  time: Float64Array,
  status: Uint8Array,
  stratEnd: Uint8Array,
  efron: boolean,
  beta: Float64Array,
  u: Float64Array,
  imat: Float64Array,
  work: { a: Float64Array; a2: Float64Array; eta: Float64Array; risk: Float64Array; c: Float64Array; e: Float64Array; wx: Float64Array },
): number {
  const { a, a2, eta, risk, c, e, wx } = work;
  u.fill(0);
  imat.fill(0);
  eta.fill(0);
  for (let j = 0; j < p; j++) {
    const b = beta[j];
    if (b === 0) continue;
    const off = j * n;
    for (let i = 0; i < n; i++) eta[i] += b * xc[off + i];
  }
  for (let i = 0; i < n; i++) risk[i] = Math.exp(eta[i]);
  c.fill(0);
  e.fill(0);
  let loglik = 0;
  let denom = 0;
  let person = n - 1;
  while (person >= 0) {
    if (stratEnd[person] === 1) {
      denom = 0;
      a.fill(0);
    }
    const dtime = time[person];
    const last = person; // group is (first, last]
    let ndead = 0;
    let denom2 = 0;
    a2.fill(0);
    while (person >= 0 && time[person] === dtime) {
      const r = risk[person];
      if (status[person] === 0) {
        denom += r;
        for (let j = 0; j < p; j++) a[j] += r * xc[j * n + person];
      } else {
        ndead++;
        denom2 += r;
        loglik += eta[person];
        for (let j = 0; j < p; j++) {
          const xv = xc[j * n + person];
          u[j] += xv;
          a2[j] += r * xv;
        }
      }
      person--;
      if (person >= 0 && stratEnd[person] === 1) break;
    }
    if (ndead === 0) continue;
    if (!efron || ndead === 1) {
      denom += denom2;
      loglik -= ndead * Math.log(denom);
      for (let j = 0; j < p; j++) a[j] += a2[j];
      const w = ndead / denom;
      const w2 = w / denom;
      for (let i = 0; i < p; i++) {
        u[i] -= a[i] * w;
        for (let j = 0; j <= i; j++) imat[j * p + i] -= a[i] * a[j] * w2;
      }
      c[last] = w;
    } else {
      let s1 = 0;
      let s2 = 0;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      for (let k = 0; k < ndead; k++) {
        const f = (k + 1) / ndead;
        const dk = denom + f * denom2;
        loglik -= Math.log(dk);
        const r = 1 / dk;
        const r2 = r * r;
        s1 += r;
        s2 += f * r;
        t0 += r2;
        t1 += f * r2;
        t2 += f * f * r2;
      }
      for (let i = 0; i < p; i++) {
        const a0i = a[i];
        const a2i = a2[i];
        u[i] -= a0i * s1 + a2i * s2;
        for (let j = 0; j <= i; j++) {
          const a0j = a[j];
          const a2j = a2[j];
          imat[j * p + i] -= a0i * a0j * t0 + (a0i * a2j + a2i * a0j) * t1 + a2i * a2j * t2;
        }
      }
      denom += denom2;
      for (let j = 0; j < p; j++) a[j] += a2[j];
      c[last] = s1;
      e[last] = s2 - s1;
    }
  }
  // per-person weights: cumulative c over event times ≤ own time (within stratum), + e for deaths
  const v = eta; // reuse storage
  let W = 0;
  let i = 0;
  while (i < n) {
    if (i === 0 || stratEnd[i - 1] === 1) W = 0;
    let j = i;
    while (j < n && time[j] === time[i] && !(j > i && stratEnd[j - 1] === 1)) j++;
    W += c[j - 1];
    const ee = e[j - 1];
    for (let k = i; k < j; k++) v[k] = risk[k] * (status[k] === 1 ? W + ee : W);
    i = j;
  }
  // Xᵀ diag(v) X (upper triangle)
  for (let a1 = 0; a1 < p; a1++) {
    const oa = a1 * n;
    for (let k = 0; k < n; k++) wx[k] = v[k] * xc[oa + k];
    for (let b1 = 0; b1 <= a1; b1++) {
      const col = xc.subarray(b1 * n, b1 * n + n);
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let k = 0;
      for (; k + 3 < n; k += 4) {
        s0 += wx[k] * col[k];
        s1 += wx[k + 1] * col[k + 1];
        s2 += wx[k + 2] * col[k + 2];
        s3 += wx[k + 3] * col[k + 3];
      }
      for (; k < n; k++) s0 += wx[k] * col[k];
      imat[b1 * p + a1] += s0 + s1 + (s2 + s3);
    }
  }
  for (let r = 0; r < p; r++) for (let q = 0; q < r; q++) imat[r * p + q] = imat[q * p + r];
  return loglik;
}

/**
 * Centring, coxfit6 scaling and the column-major copy of the covariates (a separate function so
 * that V8 keeps it optimised across calls instead of re-entering coxPH's loops on stack
 * replacement).
 */
function centreScale(x: Float64Array, n: number, p: number): { means: Float64Array; scale: Float64Array; xc: Float64Array } {
  const means = new Float64Array(p);
  const scale = new Float64Array(p);
  const xs = new Float64Array(n * p);
  const sums = new Float64Array(p);
  const nocenter = new Uint8Array(p).fill(1);
  for (let k = 0; k < n; k++) {
    const off = k * p;
    for (let j = 0; j < p; j++) {
      const v = x[off + j];
      sums[j] += v;
      if (v !== 0 && v !== 1 && v !== -1) nocenter[j] = 0;
    }
  }
  for (let j = 0; j < p; j++) means[j] = nocenter[j] ? 0 : sums[j] / n;
  const absDev = new Float64Array(p);
  for (let k = 0; k < n; k++) {
    const off = k * p;
    for (let j = 0; j < p; j++) {
      const v = x[off + j] - means[j];
      xs[off + j] = v;
      absDev[j] += Math.abs(v);
    }
  }
  for (let j = 0; j < p; j++) scale[j] = nocenter[j] ? 1 : absDev[j] > 0 ? n / absDev[j] : 1;
  // column-major copy of the centred, scaled covariates for the iterations
  const xc = new Float64Array(n * p);
  for (let k = 0; k < n; k++) {
    const off = k * p;
    for (let j = 0; j < p; j++) xc[j * n + k] = xs[off + j] * scale[j];
  }

  return { means, scale, xc };
}

/** Prepare sorted data: returns order and stratum-end markers. */
export function sortSurv(
  time: ArrayLike<number>,
  strataIdx: Int32Array,
  nStrata: number,
  rank?: { u: Float64Array; idx: Int32Array } | null,
): { ord: Int32Array } {
  const { u: ut, idx: ti } = rank ?? rankDistinct(time);
  const K = ut.length;
  const key = new Int32Array(time.length);
  for (let i = 0; i < time.length; i++) key[i] = strataIdx[i] * K + ti[i];
  return { ord: countingOrder(key, nStrata * K) };
}

/**
 * Fit a Cox proportional hazards model (R `coxph`). Rows with a missing (NaN/null) covariate,
 * time, event or stratum are dropped and counted (na.omit).
 */
export function coxPH(input: CoxInput): CoxResult {
  const ties: Ties = input.ties ?? 'efron';
  if (ties !== 'efron' && ties !== 'breslow') fail(`ties must be 'efron' or 'breslow', got ${ties}`);
  const eps = input.eps ?? 1e-9;
  const iterMax = input.iterMax ?? 20;
  const terms = Object.keys(input.covariates ?? {});
  const p = terms.length;
  if (p === 0) fail('coxPH needs at least one covariate');
  const nAll = input.time?.length ?? 0;
  if (!input.event || input.event.length !== nAll) fail(`time (${nAll}) and event (${input.event?.length}) must have equal lengths`);
  for (const t of terms) {
    const col = input.covariates[t];
    if (!col || col.length !== nAll) fail(`covariate ${t} has length ${col?.length}, expected ${nAll}`);
  }
  if (input.strata && input.strata.length !== nAll) fail(`strata has length ${input.strata.length}, expected ${nAll}`);
  const cols = terms.map((t) => input.covariates[t]);
  const keep: number[] = [];
  const dropped: number[] = [];
  const typed = cols.every((c) => c instanceof Float64Array);
  for (let i = 0; i < nAll; i++) {
    let miss = isMissing(input.time[i]) || isMissing(input.event[i]) || (input.strata ? isMissing(input.strata[i]) : false);
    if (typed) {
      // fast path: Float64Array columns can only hold numbers (NaN = missing)
      for (let j = 0; j < p; j++) {
        const v = (cols[j] as Float64Array)[i];
        if (v - v !== 0) {
          if (v !== v) miss = true;
          else fail(`covariate ${terms[j]}[${i}] = ${v} is not finite`);
        }
      }
    } else
      for (let j = 0; j < p && !miss; j++) {
        const v = cols[j][i];
        if (isMissing(v)) miss = true;
        else if (typeof v !== 'number')
          fail(`covariate ${terms[j]}[${i}] = ${JSON.stringify(v)} is not a number; build factor columns with designMatrix (treatment contrasts)`);
        else if (!Number.isFinite(v)) fail(`covariate ${terms[j]}[${i}] = ${v} is not finite`);
      }
    if (miss) dropped.push(i);
    else keep.push(i);
  }
  const n = keep.length;
  if (n === 0) fail('no complete cases');
  const reused = input.strata ? null : reusableRows(input.reuseRowsOf, input.time, input.event, n, dropped);
  let time: Float64Array;
  let status: Uint8Array;
  let x: Float64Array;
  let strata: Int32Array;
  let strataLevels: (string | number)[];
  let rowIndex: Int32Array;
  if (reused) {
    // same rows, same times: the earlier fit's sort order, covariates gathered by sorted row
    ({ time, status, strata, strataLevels, rowIndex } = reused);
    x = new Float64Array(n * p);
    gatherRows(cols, rowIndex, n, p, x);
  } else {
  const time0 = new Float64Array(n);
  const ev0 = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    time0[k] = input.time[keep[k]] as number;
    ev0[k] = input.event[keep[k]] as number;
  }
  checkSurv(time0, ev0);
  const tfr = timefixRanked(time0); // R coxph timefix = TRUE
  if (tfr.time !== time0) time0.set(tfr.time);
  // strata
  strataLevels = [0];
  const sIdx = new Int32Array(n);
  if (input.strata) {
    const vals = keep.map((i) => input.strata![i] as string | number);
    const allNum = vals.every((v) => typeof v === 'number');
    strataLevels = [...new Set(vals)];
    if (allNum) (strataLevels as number[]).sort((a, b) => a - b);
    else strataLevels = strataLevels.map(String).sort();
    const m = new Map<string | number, number>();
    strataLevels.forEach((l, i) => m.set(l, i));
    for (let k = 0; k < n; k++) sIdx[k] = m.get(allNum ? vals[k] : String(vals[k]))!;
  }
  const { ord } = sortSurv(time0, sIdx, strataLevels.length, tfr.rank);
  time = new Float64Array(n);
  status = new Uint8Array(n);
  x = new Float64Array(n * p);
  strata = new Int32Array(n);
  rowIndex = new Int32Array(n);
  const posOf = new Int32Array(n); // sorted position of kept row o
  for (let k = 0; k < n; k++) {
    const o = ord[k];
    posOf[o] = k;
    time[k] = time0[o];
    status[k] = ev0[o];
    strata[k] = sIdx[o];
    rowIndex[k] = keep[o];
  }
  // scatter rows: sequential reads of every column, one contiguous p-vector written per row
  scatterRows(cols, keep, posOf, n, p, x);
  }
  const stratEnd = new Uint8Array(n);
  for (let k = 0; k < n; k++) stratEnd[k] = k === n - 1 || strata[k + 1] !== strata[k] ? 1 : 0;
  let nEvent = 0;
  for (let k = 0; k < n; k++) nEvent += status[k];

  // centring (R nocenter = c(-1, 0, 1)) and coxfit6 scaling, computed row-wise
  const { means, scale, xc } = centreScale(x, n, p);

  const work = {
    a: new Float64Array(p),
    a2: new Float64Array(p),
    eta: new Float64Array(n),
    risk: new Float64Array(n),
    c: new Float64Array(n),
    e: new Float64Array(n),
    wx: new Float64Array(n),
  };
  const u = new Float64Array(p);
  const imat = new Float64Array(p * p);
  const beta = new Float64Array(p);
  const newbeta = new Float64Array(p);
  const warnings: string[] = [];
  const efron = ties === 'efron';

  const ll0 = coxIter(n, p, xc, time, status, stratEnd, efron, beta, u, imat, work);
  let ch = cholInverse(imat, p, TOLER_CHOL);
  const step0 = matVecInv(ch.inv, u, p);
  let sctest = 0;
  for (let i = 0; i < p; i++) sctest += u[i] * step0[i];
  let loglikBest = ll0;
  for (let i = 0; i < p; i++) newbeta[i] = beta[i] + step0[i];
  let halving = 0;
  let iter = 0;
  let converged = false;
  let finalInv: Float64Array | null = null;
  let rank = p;
  let lastLL = ll0;
  for (iter = 1; iter <= iterMax; iter++) {
    const newlk = coxIter(n, p, xc, time, status, stratEnd, efron, newbeta, u, imat, work);
    ch = cholInverse(imat, p, TOLER_CHOL);
    rank = ch.rank;
    let notfinite = !Number.isFinite(newlk);
    for (let i = 0; i < p && !notfinite; i++) {
      if (!Number.isFinite(u[i])) notfinite = true;
      for (let j = 0; j < p; j++) if (!Number.isFinite(imat[i * p + j])) notfinite = true;
    }
    if (!notfinite && Math.abs(1 - loglikBest / newlk) <= eps) {
      lastLL = newlk;
      for (let i = 0; i < p; i++) beta[i] = newbeta[i];
      finalInv = ch.inv;
      converged = true;
      break;
    }
    if (iter === iterMax) break;
    if (notfinite || newlk < loglikBest) {
      halving++;
      for (let i = 0; i < p; i++) newbeta[i] = (newbeta[i] + halving * beta[i]) / (halving + 1);
    } else {
      halving = 0;
      loglikBest = newlk;
      const step = matVecInv(ch.inv, u, p);
      for (let i = 0; i < p; i++) {
        beta[i] = newbeta[i];
        newbeta[i] += step[i];
      }
    }
  }
  if (!converged) {
    iter = Math.min(iter, iterMax);
    lastLL = coxIter(n, p, xc, time, status, stratEnd, efron, beta, u, imat, work);
    ch = cholInverse(imat, p, TOLER_CHOL);
    rank = ch.rank;
    finalInv = ch.inv;
    warnings.push(`Ran out of iterations (${iterMax}) and did not converge`);
  }
  const inv = finalInv!;
  // back to the original scale
  const coef = new Array<number>(p);
  const V = new Float64Array(p * p);
  const uOrig = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    coef[i] = beta[i] * scale[i];
    uOrig[i] = u[i] / scale[i];
    for (let j = 0; j < p; j++) V[i * p + j] = inv[i * p + j] * scale[i] * scale[j];
  }
  if (rank < p) {
    const sing = terms.filter((_, i) => V[i * p + i] === 0);
    throw new StatsInputError(
      `singular information matrix: covariate(s) ${sing.join(', ')} are collinear with others or constant; remove them`,
    );
  }
  // infinite-coefficient check as coxph.fit (toler.inf = sqrt(eps))
  const tolerInf = Math.sqrt(eps);
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += uOrig[j] * V[j * p + i];
    const inf = Math.abs(s);
    if (!Number.isFinite(uOrig[i]) || (converged && inf > eps && inf > tolerInf * Math.abs(coef[i]))) {
      warnings.push(`Loglik converged before variable ${terms[i]}; coefficient may be infinite (separation?)`);
    }
  }
  const z975 = zCritical(0.95);
  const se = coef.map((_, i) => Math.sqrt(V[i * p + i]));
  const zv = coef.map((b, i) => b / se[i]);
  // Wald test β' V^{-1} β
  const vinv = cholInverse(V, p, TOLER_CHOL).inv;
  const wald = quadForm(vinv, coef, p);
  const lr = 2 * (lastLL - ll0);
  // linear predictor (centred), by input row
  const lpRow = new Array<number>(nAll).fill(NaN);
  const lpSorted = new Float64Array(n);
  let centerShift = 0;
  for (let j = 0; j < p; j++) centerShift += coef[j] * means[j];
  linearPredictor(x, n, p, coef, centerShift, rowIndex, lpSorted, lpRow);
  let cidx = NaN;
  let cse = NaN;
  if (!input.skipConcordance) {
    const c = concordance({
      time,
      event: status,
      score: lpSorted,
      reverse: true,
      strata: input.strata ? strata : undefined,
    });
    cidx = c.cIndex;
    cse = c.se;
  }
  const res: CoxResult = {
    terms,
    coef,
    se,
    hazardRatio: coef.map((b) => Math.exp(b)),
    lower: coef.map((b, i) => Math.exp(b - z975 * se[i])),
    upper: coef.map((b, i) => Math.exp(b + z975 * se[i])),
    z: zv,
    pValue: zv.map((v) => normalTwoSided(v)),
    variance: Array.from({ length: p }, (_, i) => Array.from(V.subarray(i * p, i * p + p))),
    means: Array.from(means),
    logLikNull: ll0,
    logLik: lastLL,
    lrTest: { chisq: lr, df: p, pValue: chisqUpper(lr, p) },
    waldTest: { chisq: wald, df: p, pValue: chisqUpper(wald, p) },
    scoreTest: { chisq: sctest, df: p, pValue: chisqUpper(sctest, p) },
    concordance: cidx,
    concordanceSe: cse,
    n,
    nEvent,
    nDropped: dropped.length,
    droppedRows: dropped,
    iterations: iter,
    converged,
    ties,
    warnings,
    linearPredictor: lpRow,
  } as CoxResult;
  // the (large) sorted data kept for predictSurvival / coxZph is not enumerable, so results
  // serialize (JSON) without it
  Object.defineProperty(res, 'model', {
    value: { n, p, time, status, x, strata, strataLevels, rowIndex },
    enumerable: false,
    writable: false,
  });
  return res;
}

/**
 * The sorted rows of `prev` when they are exactly the rows this fit would build: unstratified,
 * same complete cases, and every sorted row's time and event equal to the input's (so that the
 * timefix and the stable sort by time would give the same order).
 */
function reusableRows(
  prevFit: CoxResult | undefined,
  inTime: ArrayLike<number>,
  inEvent: ArrayLike<number>,
  n: number,
  dropped: number[],
): CoxModelData | null {
  const prev = prevFit?.model;
  if (!prevFit || !prev || prev.n !== n || prev.strataLevels.length !== 1) return null;
  const pd = prevFit.droppedRows;
  if (pd.length !== dropped.length) return null;
  for (let i = 0; i < pd.length; i++) if (pd[i] !== dropped[i]) return null;
  const { time, status, rowIndex, strata } = prev;
  for (let k = 0; k < n; k++) {
    const r = rowIndex[k];
    if (inTime[r] !== time[k] || inEvent[r] !== status[k] || strata[k] !== 0) return null;
    // stable order within tied times: input row order
    if (k > 0 && time[k] === time[k - 1] && rowIndex[k - 1] > r) return null;
  }
  return prev;
}

function linearPredictor(x: Float64Array, n: number, p: number, coef: number[], centerShift: number, rowIndex: Int32Array, lpSorted: Float64Array, lpRow: number[]): void {
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += coef[j] * x[k * p + j];
    lpSorted[k] = s - centerShift;
    lpRow[rowIndex[k]] = s - centerShift;
  }
}

/** x[k, ] = covariates of input row rowIndex[k] (row-major n×p). */
function gatherRows(cols: ArrayLike<number | null>[], rowIndex: Int32Array, n: number, p: number, x: Float64Array): void {
  for (let k = 0; k < n; k++) {
    const r = rowIndex[k];
    const dst = k * p;
    for (let j = 0; j < p; j++) x[dst + j] = cols[j][r] as number;
  }
}

/** x[posOf[o], ] = covariates of input row keep[o]: sequential reads, one p-vector written per row. */
function scatterRows(cols: ArrayLike<number | null>[], keep: number[], posOf: Int32Array, n: number, p: number, x: Float64Array): void {
  for (let o = 0; o < n; o++) {
    const r = keep[o];
    const dst = posOf[o] * p;
    for (let j = 0; j < p; j++) x[dst + j] = cols[j][r] as number;
  }
}

function matVecInv(inv: Float64Array, u: Float64Array, p: number): Float64Array {
  const out = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += inv[i * p + j] * u[j];
    out[i] = s;
  }
  return out;
}

/**
 * Likelihood-ratio test of nested Cox fits — R `anova(fit0, fit1)`:
 * χ² = 2(ℓ₁ − ℓ₀), df = p₁ − p₀. Both fits must use the same rows.
 */
export function likelihoodRatioTest(nullFit: CoxResult, altFit: CoxResult): ChisqTest {
  if (nullFit.n !== altFit.n || nullFit.nEvent !== altFit.nEvent) {
    fail(`nested fits use different rows (n ${nullFit.n} vs ${altFit.n}); fit both on the complete cases of the larger model`);
  }
  const df = altFit.coef.length - nullFit.coef.length;
  if (df <= 0) fail('altFit must have more coefficients than nullFit');
  const chisq = 2 * (altFit.logLik - nullFit.logLik);
  return { chisq, df, pValue: chisqUpper(chisq, df) };
}
