/**
 * Log-rank / Fleming–Harrington G(ρ) test — R `survival::survdiff(Surv(time, event) ~ group
 * [+ strata(s)], rho)`.
 *
 * Formula (survdiff.fit / Harrington & Fleming 1982): at each event time of a stratum, with
 * weight w = S(t−)^ρ (left-continuous pooled KM of the stratum),
 * O_g += w·d_g, E_g += w·d·n_g/n, V_gh += w²·d(n−d)/(n−1)·(n_g/n)(δ_gh − n_h/n).
 * χ² = (O−E)ᵀ V⁻ (O−E) over groups with E > 0 (first such group dropped), df = #{E > 0} − 1.
 */
import { chisqUpper } from './distributions.ts';
import { checkSurv, fail, isMissing } from './validate.ts';
import { cholInverse, countingOrder, quadForm, rankDistinct, timefix } from './internal.ts';

export type Level = string | number;

export interface LogRankInput {
  time: ArrayLike<number>;
  event: ArrayLike<number>;
  group: ArrayLike<Level | null>;
  strata?: ArrayLike<Level | null>;
  rho?: number;
  /** order of the group levels (R factor levels); default sorted distinct values */
  groupLevels?: Level[];
  /** order of the strata levels; default sorted distinct values */
  strataLevels?: Level[];
}

export interface LogRankResult {
  chisq: number;
  df: number;
  pValue: number;
  groups: Level[];
  observed: number[];
  expected: number[];
  n: number[];
  /** variance matrix of O − E (groups × groups) */
  variance: number[][];
  strata?: Level[];
  strataN?: number[];
  observedByStratum?: number[][];
  expectedByStratum?: number[][];
  nDropped: number;
  droppedRows: number[];
  warnings: string[];
}

/** Sorted distinct levels (numbers numerically, strings lexically), like R factor levels. */
export function sortedLevels(x: ArrayLike<Level | null>): Level[] {
  const set = new Set<Level>();
  for (let i = 0; i < x.length; i++) if (!isMissing(x[i])) set.add(x[i] as Level);
  const arr = [...set];
  const allNum = arr.every((v) => typeof v === 'number');
  return allNum ? (arr as number[]).sort((a, b) => a - b) : arr.map(String).sort();
}

function checkLevels(name: string, x: ArrayLike<Level | null>, levels: Level[]): Level[] {
  const set = new Set(levels.map(String));
  for (let i = 0; i < x.length; i++) if (!isMissing(x[i]) && !set.has(String(x[i]))) fail(`${name} value ${String(x[i])} is not among the given levels`);
  const present = new Set(Array.from(x as ArrayLike<Level>, String));
  return levels.filter((l) => present.has(String(l))).map(String);
}

function levelIndex(x: ArrayLike<Level | null>, levels: Level[]): Int32Array {
  const m = new Map<Level, number>();
  levels.forEach((l, i) => m.set(l, i));
  const numeric = levels.every((v) => typeof v === 'number');
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = isMissing(v) ? -1 : (m.get(numeric ? (v as Level) : String(v)) ?? -1);
  }
  return out;
}

/** Log-rank (ρ = 0) or Peto–Peto/Fleming–Harrington (ρ) test, R `survdiff`. */
export function logRank(input: LogRankInput): LogRankResult {
  const rho = input.rho ?? 0;
  if (!Number.isFinite(rho)) fail('rho must be finite');
  const nAll = input.time.length;
  if (input.group.length !== nAll) fail(`group has length ${input.group.length}, expected ${nAll}`);
  if (input.strata && input.strata.length !== nAll) fail(`strata has length ${input.strata.length}, expected ${nAll}`);
  // drop rows with missing group/strata (na.omit)
  const keep: number[] = [];
  const dropped: number[] = [];
  for (let i = 0; i < nAll; i++) {
    if (isMissing(input.group[i]) || (input.strata && isMissing(input.strata[i]))) dropped.push(i);
    else keep.push(i);
  }
  const sub = <T>(a: ArrayLike<T>) => keep.map((i) => a[i]);
  const event = sub(input.event);
  checkSurv(sub(input.time), event);
  const time = timefix(sub(input.time));
  const grp = sub(input.group);
  const levels = input.groupLevels ? checkLevels('group', grp, input.groupLevels) : sortedLevels(grp);
  const G = levels.length;
  if (G < 2) fail('logRank needs at least two groups');
  const gi = levelIndex(grp, levels);
  let sLevels: Level[] = [0];
  let si: Int32Array = new Int32Array(time.length);
  if (input.strata) {
    const st = sub(input.strata);
    sLevels = input.strataLevels ? checkLevels('strata', st, input.strataLevels) : sortedLevels(st);
    si = levelIndex(st, sLevels);
  }
  const S = sLevels.length;
  const n = time.length;
  const { u: ut, idx: ti } = rankDistinct(time);
  const K = ut.length;
  // order by (stratum, time) via counting sort on combined key
  const key = new Int32Array(n);
  for (let i = 0; i < n; i++) key[i] = si[i] * K + ti[i];
  const ord = countingOrder(key, S * K);

  const O = new Float64Array(G);
  const E = new Float64Array(G);
  const V = new Float64Array(G * G);
  const Os = new Float64Array(G * S);
  const Es = new Float64Array(G * S);
  const nG = new Float64Array(G);
  const strataN = new Array(S).fill(0);
  for (let i = 0; i < n; i++) {
    nG[gi[i]]++;
    strataN[si[i]]++;
  }
  const atRisk = new Float64Array(G);
  const dG = new Float64Array(G);
  // process each stratum: rows ord[a..b)
  let a = 0;
  while (a < n) {
    const s = si[ord[a]];
    let b = a;
    while (b < n && si[ord[b]] === s) b++;
    atRisk.fill(0);
    for (let p = a; p < b; p++) atRisk[gi[ord[p]]]++;
    let nr = b - a;
    let km = 1; // pooled KM S(t−)
    let p = a;
    while (p < b) {
      const t = ti[ord[p]];
      let q = p;
      dG.fill(0);
      let d = 0;
      while (q < b && ti[ord[q]] === t) {
        const r = ord[q];
        if (event[r] === 1) {
          dG[gi[r]]++;
          d++;
        }
        q++;
      }
      if (d > 0) {
        const w = rho === 0 ? 1 : Math.pow(km, rho);
        const vfac = nr > 1 ? (d * (nr - d)) / (nr - 1) : 0;
        for (let g = 0; g < G; g++) {
          const e = (d * atRisk[g]) / nr;
          O[g] += w * dG[g];
          E[g] += w * e;
          Os[g * S + s] += w * dG[g];
          Es[g * S + s] += w * e;
          if (vfac > 0) {
            const pg = atRisk[g] / nr;
            for (let h = 0; h < G; h++) {
              const ph = atRisk[h] / nr;
              V[g * G + h] += w * w * vfac * pg * ((g === h ? 1 : 0) - ph);
            }
          }
        }
        km *= 1 - d / nr;
      }
      for (let x = p; x < q; x++) atRisk[gi[ord[x]]]--;
      nr -= q - p;
      p = q;
    }
    a = b;
  }
  // chi-square over groups with E > 0, dropping the first
  const use: number[] = [];
  for (let g = 0; g < G; g++) if (E[g] > 0) use.push(g);
  const df = use.length - 1;
  let chisq = 0;
  const warnings: string[] = [];
  if (use.length >= 2) {
    const idx = use.slice(1);
    const m = idx.length;
    const vv = new Float64Array(m * m);
    const oe = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      oe[i] = O[idx[i]] - E[idx[i]];
      for (let j = 0; j < m; j++) vv[i * m + j] = V[idx[i] * G + idx[j]];
    }
    const { inv, rank } = cholInverse(vv, m, 1e-12);
    if (rank < m) warnings.push('variance matrix of O − E is singular; generalized inverse used');
    chisq = quadForm(inv, oe, m);
  }
  const toMat = (x: Float64Array, r: number, c: number) => Array.from({ length: r }, (_, i) => Array.from(x.subarray(i * c, i * c + c)));
  const res: LogRankResult = {
    chisq,
    df,
    pValue: df > 0 ? chisqUpper(chisq, df) : 1,
    groups: levels,
    observed: Array.from(O),
    expected: Array.from(E),
    n: Array.from(nG),
    variance: toMat(V, G, G),
    nDropped: dropped.length,
    droppedRows: dropped,
    warnings,
  };
  if (input.strata) {
    res.strata = sLevels;
    res.strataN = strataN;
    res.observedByStratum = toMat(Os, G, S);
    res.expectedByStratum = toMat(Es, G, S);
  }
  return res;
}
