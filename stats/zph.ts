/**
 * Proportional-hazards test — R `survival::cox.zph(fit, transform = "km", terms = FALSE)`
 * (survival ≥ 3.0 score-test version, C routine `zph1`).
 *
 * Method (Grambsch & Therneau 1994; Therneau's 3.x implementation): add the covariates
 * X·g(t), g(t) = 1 − Ŝ(t−) (pooled KM, centred over event times), to the fitted model and
 * compute the score test for their coefficients at (β̂, 0) using the full 2p×2p information
 * matrix. One row per coefficient plus a global test (df = p).
 */
import { chisqUpper } from './distributions.ts';
import { cholInverse, quadForm } from './internal.ts';
import type { CoxResult } from './cox.ts';
import { fail } from './validate.ts';

export interface ZphResult {
  terms: string[];
  chisq: number[];
  df: number[];
  pValue: number[];
  global: { chisq: number; df: number; pValue: number };
  /** optional by-term rows (R terms = TRUE) when `groups` is given */
  byTerm?: { terms: string[]; chisq: number[]; df: number[]; pValue: number[] };
}

/**
 * Schoenfeld-residual based test of proportional hazards, R `cox.zph(fit, transform = "km")`.
 * @param groups optional map term → coefficient names, for multi-column (factor) terms (R terms = TRUE).
 */
export function coxZph(fit: CoxResult, groups?: Record<string, string[]>): ZphResult {
  const m = fit.model;
  if (!m) fail('fit has no model data');
  const { n, p, time, status, x, strata } = m;
  const efron = fit.ties === 'efron';
  const coef = fit.coef;
  // eta = lp - mean(lp)
  const eta = new Float64Array(n);
  let s = 0;
  for (let k = 0; k < n; k++) {
    let v = 0;
    for (let j = 0; j < p; j++) v += coef[j] * x[k * p + j];
    eta[k] = v;
    s += v;
  }
  const em = s / n;
  for (let k = 0; k < n; k++) eta[k] -= em;
  // centred covariates
  const xc = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    let t = 0;
    for (let k = 0; k < n; k++) t += x[k * p + j];
    t /= n;
    for (let k = 0; k < n; k++) xc[k * p + j] = x[k * p + j] - t;
  }
  // KM transform over all data (ignores strata): g = 1 - S(t-)
  // (the model's rows are sorted by stratum then time: without strata this stable sort is the
  // identity, so skip it when the times are already non-decreasing)
  let sorted = true;
  for (let k = 1; k < n && sorted; k++) if (time[k] < time[k - 1]) sorted = false;
  const ordAll = sorted ? Int32Array.from({ length: n }, (_, i) => i) : Array.from({ length: n }, (_, i) => i).sort((a, b) => time[a] - time[b]);
  const gt = new Float64Array(n);
  {
    let atRisk = n;
    let surv = 1;
    let i = 0;
    while (i < n) {
      const t = time[ordAll[i]];
      let j = i;
      let d = 0;
      while (j < n && time[ordAll[j]] === t) {
        d += status[ordAll[j]];
        j++;
      }
      for (let k = i; k < j; k++) gt[ordAll[k]] = 1 - surv;
      if (d > 0) surv *= 1 - d / atRisk;
      atRisk -= j - i;
      i = j;
    }
  }
  let gs = 0;
  let ne = 0;
  for (let k = 0; k < n; k++)
    if (status[k] === 1) {
      gs += gt[k];
      ne++;
    }
  const gmean = gs / ne;
  for (let k = 0; k < n; k++) gt[k] -= gmean;

  const P = 2 * p;
  const u = new Float64Array(P);
  const imat = new Float64Array(P * P);
  zphScoreInfo(n, p, time, status, strata, eta, xc, gt, efron, u, imat);
  // fill symmetric parts
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) {
      imat[i * P + j] = imat[j * P + i];
      imat[i * P + j + p] = imat[j * P + i + p];
      imat[(i + p) * P + j + p] = imat[(j + p) * P + i + p];
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) imat[(i + p) * P + j] = imat[j * P + i + p];

  const testFor = (cols: number[]): number => {
    const kk = [...Array(p).keys(), ...cols.map((c) => c + p)];
    const q = kk.length;
    const sub = new Float64Array(q * q);
    for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) sub[i * q + j] = imat[kk[i] * P + kk[j]];
    const uu = new Float64Array(q);
    for (let i = 0; i < cols.length; i++) uu[p + i] = u[cols[i] + p];
    const { inv } = cholInverse(sub, q, 1e-12);
    return quadForm(inv, uu, q);
  };
  const chisq = fit.terms.map((_, j) => testFor([j]));
  const g = testFor([...Array(p).keys()]);
  const res: ZphResult = {
    terms: [...fit.terms],
    chisq,
    df: chisq.map(() => 1),
    pValue: chisq.map((c) => chisqUpper(c, 1)),
    global: { chisq: g, df: p, pValue: chisqUpper(g, p) },
  };
  if (groups) {
    const names = Object.keys(groups);
    const cs = names.map((nm) => {
      const cols = groups[nm].map((c) => {
        const i = fit.terms.indexOf(c);
        if (i < 0) fail(`unknown coefficient ${c} in group ${nm}`);
        return i;
      });
      return { c: testFor(cols), df: cols.length };
    });
    res.byTerm = { terms: names, chisq: cs.map((v) => v.c), df: cs.map((v) => v.df), pValue: cs.map((v) => chisqUpper(v.c, v.df)) };
  }
  return res;
}

/**
 * Score u and information imat of the 2p-parameter model at (β̂, 0), accumulated over the sorted
 * rows (zph1); a separate function so that V8 keeps it optimised across calls.
 */
function zphScoreInfo(
  n: number,
  p: number,
  time: Float64Array,
  status: Uint8Array,
  strata: Int32Array,
  eta: Float64Array,
  xc: Float64Array,
  gt: Float64Array,
  efron: boolean,
  u: Float64Array,
  imat: Float64Array,
): void {
  const P = 2 * p;
  const a = new Float64Array(p);
  const a2 = new Float64Array(p);
  const cmat = new Float64Array(p * p);
  const cmat2 = new Float64Array(p * p);
  let denom = 0;
  let cstrat = -1;
  let ip = n - 1;
  while (ip >= 0) {
    if (strata[ip] !== cstrat) {
      cstrat = strata[ip];
      denom = 0;
      a.fill(0);
      cmat.fill(0);
    }
    const dtime = time[ip];
    const tw = gt[ip];
    let ndead = 0;
    let denom2 = 0;
    for (; ip >= 0; ip--) {
      if (time[ip] !== dtime || strata[ip] !== cstrat) break;
      const risk = Math.exp(eta[ip]);
      const off = ip * p;
      // (risk·x_i)·x_j hoisted per i: the same products, evaluated in the same order
      if (status[ip] === 0) {
        denom += risk;
        for (let i = 0; i < p; i++) {
          const rxi = risk * xc[off + i];
          a[i] += rxi;
          const row = i * p;
          for (let j = 0; j <= i; j++) cmat[row + j] += rxi * xc[off + j];
        }
      } else {
        ndead++;
        denom2 += risk;
        for (let i = 0; i < p; i++) {
          const xi = xc[off + i];
          const rxi = risk * xi;
          u[i] += xi;
          u[i + p] += tw * xi;
          a2[i] += rxi;
          const row = i * p;
          for (let j = 0; j <= i; j++) cmat2[row + j] += rxi * xc[off + j];
        }
      }
    }
    if (ndead > 0) {
      const nsteps = efron ? ndead : 1;
      for (let k = 0; k < nsteps; k++) {
        const frac = efron ? 1 / ndead : 1;
        const wt = efron ? 1 : ndead;
        denom += denom2 * frac;
        for (let i = 0; i < p; i++) {
          a[i] += a2[i] * frac;
          const mean = a[i] / denom;
          u[i] -= wt * mean;
          u[i + p] -= tw * wt * mean;
          for (let j = 0; j <= i; j++) {
            cmat[i * p + j] += cmat2[i * p + j] * frac;
            const t = (wt * (cmat[i * p + j] - mean * a[j])) / denom;
            imat[j * P + i] += t;
            imat[j * P + i + p] += t * tw;
            imat[(j + p) * P + i + p] += t * tw * tw;
          }
        }
      }
      a2.fill(0);
      cmat2.fill(0);
    }
  }
}
