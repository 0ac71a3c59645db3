/**
 * Harrell's concordance index — R `survival::concordance(Surv(time, event) ~ score,
 * reverse, timewt = "n")` (survival 3.x `concordancefit` / C `concordance3`).
 *
 * Pairs: the subject with the shorter time must have an event; a censored subject at the same
 * time as a death counts as outliving it; tied event times are not comparable (tied.y).
 * C = (concordant + tied.x/2)/(concordant + discordant + tied.x).
 * Standard error: infinitesimal jackknife, var = Σ_i dfbeta_i² with
 * dfbeta_i = ((c_i − d_i) − (c_i + d_i + t_i)·somers)/(2·npair), where c_i, d_i, t_i are the
 * concordant, discordant and x-tied comparable pairs containing subject i (Therneau & Watson 2017).
 * Computed in O(n log n) with Fenwick trees over the score ranks.
 */
import { checkSurv, fail, isMissing } from './validate.ts';
import { countingOrder, rankDistinct, timefixRanked } from './internal.ts';

export interface ConcordanceInput {
  time: ArrayLike<number>;
  event: ArrayLike<number>;
  score: ArrayLike<number | null>;
  /** true when a higher score means shorter survival (risk scores) */
  reverse?: boolean;
  /** optional strata: pairs are only formed within a stratum */
  strata?: ArrayLike<string | number | null>;
}

export interface ConcordanceResult {
  cIndex: number;
  se: number;
  /** IJ variance (se²) */
  variance: number;
  /** older Cox-score based variance (R `cvar`) */
  coxVariance: number;
  concordant: number;
  discordant: number;
  /** comparable pairs with equal score (counted as ½) */
  tiedScore: number;
  /** pairs of deaths at the same time with different scores (not comparable) */
  tiedTime: number;
  /** pairs of deaths at the same time with the same score */
  tiedTimeScore: number;
  n: number;
  nDropped: number;
  droppedRows: number[];
}

/** Harrell's C with IJ standard error, R `survival::concordance`. */
export function concordance(input: ConcordanceInput): ConcordanceResult {
  const nAll = input.time.length;
  if (input.event.length !== nAll || input.score.length !== nAll) fail('time, event and score must have equal lengths');
  if (input.strata && input.strata.length !== nAll) fail('strata must have the same length as time');
  const keep: number[] = [];
  const dropped: number[] = [];
  for (let i = 0; i < nAll; i++) {
    const s = input.score[i];
    if (isMissing(s) || (input.strata && isMissing(input.strata[i]))) dropped.push(i);
    else {
      if (!Number.isFinite(s as number)) fail(`score[${i}] = ${s} is not finite`);
      keep.push(i);
    }
  }
  const n = keep.length;
  const time = new Float64Array(n);
  const ev = new Uint8Array(n);
  const x = new Float64Array(n);
  const st: (string | number)[] = [];
  for (let k = 0; k < n; k++) {
    time[k] = input.time[keep[k]];
    ev[k] = input.event[keep[k]];
    x[k] = input.score[keep[k]] as number;
    if (input.strata) st.push(input.strata[keep[k]] as string | number);
  }
  checkSurv(time, ev);
  const tfr = timefixRanked(time); // R concordance timefix = TRUE
  if (tfr.time !== time) time.set(tfr.time);
  const { u: ux, idx: rank } = rankDistinct(x);
  const m = ux.length;
  // order: by stratum, then time descending, censored before deaths at equal time (counting sort)
  const sKey = new Int32Array(n);
  let nStrata = 1;
  if (input.strata) {
    const lv = [...new Set(st.map(String))].sort();
    const mp = new Map(lv.map((l, i) => [l, i]));
    for (let k = 0; k < n; k++) sKey[k] = mp.get(String(st[k]))!;
    nStrata = lv.length;
  }
  // ranks of the (fixed) times: those timefix computed when it merged nothing
  const { u: ut, idx: ti } = tfr.rank ?? rankDistinct(time);
  const K = ut.length;
  const key = new Int32Array(n);
  for (let k = 0; k < n; k++) key[k] = (sKey[k] * K + (K - 1 - ti[k])) * 2 + ev[k];
  const idx = countingOrder(key, nStrata * K * 2);

  // permute into processing order so the main loop reads and writes sequentially
  const pr = new Int32Array(n);
  const pt = new Float64Array(n);
  const pe = new Uint8Array(n);
  const ps = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const o = idx[k];
    pr[k] = rank[o];
    pt[k] = time[o];
    pe[k] = ev[o];
    ps[k] = sKey[o];
  }
  // two Fenwick trees over score ranks (integer counts): all subjects seen, deaths seen
  const allT = new Int32Array(m + 1);
  const allP = new Int32Array(m);
  const dthT = new Int32Array(m + 1);
  const dthP = new Int32Array(m);
  let allTotal = 0;
  let dthTotal = 0;
  const i0 = new Float64Array(n);
  const i1 = new Float64Array(n);
  const i2 = new Float64Array(n);
  let conc = 0;
  let disc = 0;
  let tx = 0;
  let ty = 0;
  let txy = 0;
  let c5 = 0;
  const grpRanks: number[] = [];
  let a = 0;
  while (a < n) {
    const s = ps[a];
    let b = a;
    while (b < n && ps[b] === s) b++;
    allT.fill(0);
    allP.fill(0);
    dthT.fill(0);
    dthP.fill(0);
    allTotal = 0;
    dthTotal = 0;
    let z2 = 0;
    let p = a;
    while (p < b) {
      if (pe[p] === 0) {
        const r = pr[p];
        // deaths already seen (later times): influence start
        let less = 0;
        for (let k = r; k > 0; k -= k & -k) less += dthT[k];
        let eq = dthP[r];
        i0[p] -= less;
        i1[p] -= dthTotal - less - eq;
        i2[p] -= eq;
        // Cox variance term, then add to the risk tree
        less = 0;
        for (let k = r; k > 0; k -= k & -k) less += allT[k];
        eq = allP[r];
        const g = allTotal - less - eq;
        z2 += g * (1 + 2 * (less + eq)) + less * (1 + 2 * (g + eq)) + (g - less) * (g - less);
        for (let k = r + 1; k <= m; k += k & -k) allT[k]++;
        allP[r]++;
        allTotal++;
        p++;
        continue;
      }
      // tied deaths at this time
      let q = p;
      const t = pt[p];
      while (q < b && pt[q] === t && pe[q] === 1) q++;
      const nd = q - p;
      if (nd > 1) {
        ty += (nd * (nd - 1)) / 2;
        grpRanks.length = 0;
        for (let k = p; k < q; k++) grpRanks.push(pr[k]);
        grpRanks.sort((u, v) => u - v);
        let r0 = 0;
        for (let k = 1; k <= nd; k++) {
          if (k === nd || grpRanks[k] !== grpRanks[r0]) {
            const c = k - r0;
            txy += (c * (c - 1)) / 2;
            r0 = k;
          }
        }
      }
      for (let j = p; j < q; j++) {
        const r = pr[j];
        let less = 0;
        for (let k = r; k > 0; k -= k & -k) less += allT[k];
        const eq = allP[r];
        const g = allTotal - less - eq;
        conc += g;
        disc += less;
        tx += eq;
        i0[j] += g;
        i1[j] += less;
        i2[j] += eq;
      }
      for (let j = p; j < q; j++) {
        const r = pr[j];
        for (let k = r + 1; k <= m; k += k & -k) dthT[k]++;
        dthP[r]++;
        dthTotal++;
      }
      for (let j = p; j < q; j++) {
        const r = pr[j];
        let less = 0;
        for (let k = r; k > 0; k -= k & -k) less += dthT[k];
        let eq = dthP[r];
        i0[j] -= less;
        i1[j] -= dthTotal - less - eq;
        i2[j] -= eq;
        less = 0;
        for (let k = r; k > 0; k -= k & -k) less += allT[k];
        eq = allP[r];
        const g = allTotal - less - eq;
        z2 += g * (1 + 2 * (less + eq)) + less * (1 + 2 * (g + eq)) + (g - less) * (g - less);
        for (let k = r + 1; k <= m; k += k & -k) allT[k]++;
        allP[r]++;
        allTotal++;
      }
      c5 += (nd * z2) / allTotal;
      p = q;
    }
    // finish: deaths (earlier times) seen after each subject entered
    for (let j = a; j < b; j++) {
      const r = pr[j];
      let less = 0;
      for (let k = r; k > 0; k -= k & -k) less += dthT[k];
      const eq = dthP[r];
      i0[j] += less;
      i1[j] += dthTotal - less - eq;
      i2[j] += eq;
    }
    a = b;
  }
  ty -= txy;
  const npair = conc + disc + tx;
  const somer = (conc - disc) / npair;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const d = (i0[k] - i1[k] - (i0[k] + i1[k] + i2[k]) * somer) / (2 * npair);
    v += d * d;
  }
  let c = (somer + 1) / 2;
  const reverse = input.reverse ?? false;
  if (reverse) c = 1 - c;
  if (!(npair > 0)) fail('no comparable pairs: concordance is undefined');
  return {
    cIndex: c,
    se: Math.sqrt(v),
    variance: v,
    coxVariance: c5 / (4 * npair * npair),
    concordant: reverse ? disc : conc,
    discordant: reverse ? conc : disc,
    tiedScore: tx,
    tiedTime: ty,
    tiedTimeScore: txy,
    n,
    nDropped: dropped.length,
    droppedRows: dropped,
  };
}
