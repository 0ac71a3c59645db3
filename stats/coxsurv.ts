/**
 * Predicted survival curves from a Cox fit — R `survfit(coxfit, newdata)` with its defaults
 * (stype = 2: S = exp(−H); ctype = 2 (Efron-adjusted hazard increments) for efron fits,
 * ctype = 1 (Breslow / Nelson–Aalen increments) for breslow fits), and
 * `summary(sf, times)` for values at chosen times.
 *
 * Formulas follow survival's `agsurv` / `agsurv5` / `coxsurv.fit`: baseline hazard increments
 * dΛ₀ = d/Σrisk (Breslow) or Σ_{k<d} 1/(Σrisk − k/d·Σrisk_deaths) (Efron); variance of H(t|x)
 * by Tsiatis (1981): exp(2x'β)[Σ varhaz + q(t)ᵀ V q(t)], q(t) = Σ (x·dΛ₀ − x̄-term).
 */
import { zCritical } from './distributions.ts';
import { fail, isMissing } from './validate.ts';
import type { CoxResult } from './cox.ts';
import { survConfInt } from './km.ts';

export interface PredictSurvivalResult {
  times: number[];
  /** subject × time */
  survival: number[][];
  cumhaz: number[][];
  /** SE on the survival scale (S · se(H)), as summary.survfit */
  stdErr: number[][];
  /** SE of the cumulative hazard H(t|x) (= SE of log S) */
  stdErrLog: number[][];
  lower: (number | null)[][];
  upper: (number | null)[][];
  lowerLogLog: (number | null)[][];
  upperLogLog: (number | null)[][];
  /** linear predictor of each new subject relative to fit.means (predict type = "lp") */
  lpCentered: number[];
  lpUncentered: number[];
  /** the full step curves on the fit's time axis (all distinct observed times) */
  curve: {
    time: number[];
    nRisk: number[];
    nEvent: number[];
    nCensor: number[];
    survival: number[][];
    cumhaz: number[][];
    stdErrLog: number[][];
  };
}

/**
 * Survival curves for new covariate values, R `summary(survfit(fit, newdata), times)`.
 * Requested times beyond the last observed time are omitted (extend = FALSE); before the first
 * event time S = 1. Not available for stratified fits.
 */
export function predictSurvival(
  fit: CoxResult,
  newCovariates: Record<string, ArrayLike<number>>,
  times: number[],
  opts: { confLevel?: number } = {},
): PredictSurvivalResult {
  const m = fit.model;
  if (!m) fail('fit has no model data');
  if (m.strataLevels.length > 1) fail('predictSurvival does not support stratified fits');
  const { n, p, time, status, x } = m;
  const terms = fit.terms;
  for (const t of terms) if (!newCovariates[t]) fail(`newCovariates lacks ${t}`);
  const nNew = newCovariates[terms[0]].length;
  for (const t of terms) {
    if (newCovariates[t].length !== nNew) fail('newCovariates columns must have equal lengths');
    for (let i = 0; i < nNew; i++) if (isMissing(newCovariates[t][i]) || !Number.isFinite(newCovariates[t][i])) fail(`newCovariates.${t}[${i}] is missing`);
  }
  const coef = fit.coef;
  const means = fit.means;
  const efron = fit.ties === 'efron';
  // risk with centred lp; x centred by means
  const risk = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let v = 0;
    for (let j = 0; j < p; j++) v += coef[j] * (x[k * p + j] - means[j]);
    risk[k] = Math.exp(v);
  }
  // distinct times (data sorted ascending)
  const ut: number[] = [];
  const start: number[] = [];
  for (let k = 0; k < n; k++) if (k === 0 || time[k] !== time[k - 1]) {
    ut.push(time[k]);
    start.push(k);
  }
  const K = ut.length;
  start.push(n);
  const nrisk = new Float64Array(K);
  const irisk = new Float64Array(K);
  const xsum = new Float64Array(K * p);
  const nevent = new Float64Array(K);
  const erisk = new Float64Array(K);
  const xsum2 = new Float64Array(K * p);
  let accR = 0;
  const accX = new Float64Array(p);
  for (let t = K - 1; t >= 0; t--) {
    for (let k = start[t]; k < start[t + 1]; k++) {
      accR += risk[k];
      for (let j = 0; j < p; j++) accX[j] += risk[k] * (x[k * p + j] - means[j]);
      if (status[k] === 1) {
        nevent[t]++;
        erisk[t] += risk[k];
        for (let j = 0; j < p; j++) xsum2[t * p + j] += risk[k] * (x[k * p + j] - means[j]);
      }
    }
    nrisk[t] = accR;
    irisk[t] = n - start[t];
    for (let j = 0; j < p; j++) xsum[t * p + j] = accX[j];
  }
  const haz = new Float64Array(K);
  const varhaz = new Float64Array(K);
  const xbar = new Float64Array(K * p);
  for (let t = 0; t < K; t++) {
    const d = nevent[t];
    if (d === 0) continue;
    if (!efron || d === 1) {
      haz[t] = d / nrisk[t];
      varhaz[t] = d / (nrisk[t] * nrisk[t]);
      for (let j = 0; j < p; j++) xbar[t * p + j] = (xsum[t * p + j] / nrisk[t]) * haz[t];
    } else {
      for (let k = 0; k < d; k++) {
        const tmp = 1 / (nrisk[t] - (erisk[t] * k) / d);
        haz[t] += tmp;
        varhaz[t] += tmp * tmp;
        for (let j = 0; j < p; j++) xbar[t * p + j] += (xsum[t * p + j] - (xsum2[t * p + j] * k) / d) * tmp * tmp;
      }
    }
  }
  const V = fit.variance;
  const z = zCritical(opts.confLevel ?? 0.95);
  const last = ut[K - 1];
  const outTimes = times.filter((t) => t <= last);
  const res: PredictSurvivalResult = {
    times: outTimes,
    survival: [],
    cumhaz: [],
    stdErr: [],
    stdErrLog: [],
    lower: [],
    upper: [],
    lowerLogLog: [],
    upperLogLog: [],
    lpCentered: [],
    lpUncentered: [],
    curve: {
      time: ut,
      nRisk: Array.from(irisk),
      nEvent: Array.from(nevent),
      nCensor: ut.map((_, t) => start[t + 1] - start[t] - nevent[t]),
      survival: [],
      cumhaz: [],
      stdErrLog: [],
    },
  };
  const dt = new Float64Array(p);
  for (let i = 0; i < nNew; i++) {
    const x2 = terms.map((t, j) => newCovariates[t][i] - means[j]);
    let lpc = 0;
    let lpu = 0;
    for (let j = 0; j < p; j++) {
      lpc += coef[j] * x2[j];
      lpu += coef[j] * newCovariates[terms[j]][i];
    }
    const r2 = Math.exp(lpc);
    res.lpCentered.push(lpc);
    res.lpUncentered.push(lpu);
    const S: number[] = new Array(K);
    const H: number[] = new Array(K);
    const SE: number[] = new Array(K);
    dt.fill(0);
    let ch = 0;
    let vh = 0;
    for (let t = 0; t < K; t++) {
      ch += haz[t];
      vh += varhaz[t];
      for (let j = 0; j < p; j++) dt[j] += haz[t] * x2[j] - xbar[t * p + j];
      let q = 0;
      for (let a = 0; a < p; a++) {
        let r = 0;
        for (let b = 0; b < p; b++) r += V[a][b] * dt[b];
        q += dt[a] * r;
      }
      H[t] = ch * r2;
      S[t] = Math.exp(-H[t]);
      SE[t] = Math.sqrt((vh + q) * r2 * r2);
    }
    res.curve.survival.push(S);
    res.curve.cumhaz.push(H);
    res.curve.stdErrLog.push(SE);
    const row = { s: [] as number[], h: [] as number[], se: [] as number[], sel: [] as number[], lo: [] as (number | null)[], up: [] as (number | null)[], lo2: [] as (number | null)[], up2: [] as (number | null)[] };
    for (const tt of outTimes) {
      let j = -1;
      for (let t = 0; t < K && ut[t] <= tt; t++) j = t;
      const s = j < 0 ? 1 : S[j];
      const h = j < 0 ? 0 : H[j];
      const sel = j < 0 ? 0 : SE[j];
      row.s.push(s);
      row.h.push(h);
      row.sel.push(sel);
      row.se.push(s * sel);
      // before the first time: S = 1 with CI [1, 1], as summary.survfit
      const [lo, up] = j < 0 ? [1, 1] : survConfInt(s, sel, 'log', z);
      const [lo2, up2] = j < 0 ? [1, 1] : survConfInt(s, sel, 'log-log', z);
      row.lo.push(lo);
      row.up.push(up);
      row.lo2.push(lo2);
      row.up2.push(up2);
    }
    res.survival.push(row.s);
    res.cumhaz.push(row.h);
    res.stdErr.push(row.se);
    res.stdErrLog.push(row.sel);
    res.lower.push(row.lo);
    res.upper.push(row.up);
    res.lowerLogLog.push(row.lo2);
    res.upperLogLog.push(row.up2);
  }
  return res;
}
