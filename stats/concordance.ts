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
import { countingOrder, rankDistinct } from './internal.ts';

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

class Fenwick {
  t: Float64Array;
  pt: Float64Array;
  total = 0;
  constructor(public m: number) {
    this.t = new Float64Array(m + 1);
    this.pt = new Float64Array(m);
  }
  point(i: number): number {
    return this.pt[i];
  }
  add(i: number, w: number) {
    this.total += w;
    this.pt[i] += w;
    for (let k = i + 1; k <= this.m; k += k & -k) this.t[k] += w;
  }
  /** sum of weights with rank < i */
  prefix(i: number): number {
    let s = 0;
    for (let k = i; k > 0; k -= k & -k) s += this.t[k];
    return s;
  }
  reset() {
    this.t.fill(0);
    this.pt.fill(0);
    this.total = 0;
  }
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
  const { u: ut, idx: ti } = rankDistinct(time);
  const K = ut.length;
  const key = new Int32Array(n);
  for (let k = 0; k < n; k++) key[k] = (sKey[k] * K + (K - 1 - ti[k])) * 2 + ev[k];
  const idx = countingOrder(key, nStrata * K * 2);

  const all = new Fenwick(m);
  const dth = new Fenwick(m);
  const i0 = new Float64Array(n);
  const i1 = new Float64Array(n);
  const i2 = new Float64Array(n);
  let conc = 0;
  let disc = 0;
  let tx = 0;
  let ty = 0;
  let txy = 0;
  let c5 = 0;
  // walk results (greater, smaller, equal) kept in locals to avoid allocation
  let wg = 0;
  let ws = 0;
  let we = 0;
  const walk = (tree: Fenwick, r: number): void => {
    const less = tree.prefix(r);
    const upto = less + tree.point(r);
    wg = tree.total - upto;
    ws = less;
    we = upto - less;
  };
  const grpRanks: number[] = [];
  let a = 0;
  while (a < n) {
    const s = sKey[idx[a]];
    let b = a;
    while (b < n && sKey[idx[b]] === s) b++;
    all.reset();
    dth.reset();
    let z2 = 0;
    const addAll = (r: number) => {
      walk(all, r);
      z2 += wg * (1 + 2 * (ws + we)) + ws * (1 + 2 * (wg + we)) + (wg - ws) * (wg - ws);
      all.add(r, 1);
    };
    let p = a;
    while (p < b) {
      const ii = idx[p];
      if (ev[ii] === 0) {
        walk(dth, rank[ii]);
        i0[ii] -= ws;
        i1[ii] -= wg;
        i2[ii] -= we;
        addAll(rank[ii]);
        p++;
        continue;
      }
      // tied deaths at this time
      let q = p;
      const t = time[ii];
      while (q < b && time[idx[q]] === t && ev[idx[q]] === 1) q++;
      const nd = q - p;
      if (nd > 1) {
        ty += (nd * (nd - 1)) / 2;
        grpRanks.length = 0;
        for (let k = p; k < q; k++) grpRanks.push(rank[idx[k]]);
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
      for (let k = p; k < q; k++) {
        const jj = idx[k];
        walk(all, rank[jj]);
        conc += wg;
        disc += ws;
        tx += we;
        i0[jj] += wg;
        i1[jj] += ws;
        i2[jj] += we;
      }
      for (let k = p; k < q; k++) dth.add(rank[idx[k]], 1);
      for (let k = p; k < q; k++) {
        const jj = idx[k];
        walk(dth, rank[jj]);
        i0[jj] -= ws;
        i1[jj] -= wg;
        i2[jj] -= we;
        addAll(rank[jj]);
      }
      c5 += (nd * z2) / all.total;
      p = q;
    }
    for (let k = a; k < b; k++) {
      const ii = idx[k];
      walk(dth, rank[ii]);
      i0[ii] += ws;
      i1[ii] += wg;
      i2[ii] += we;
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
