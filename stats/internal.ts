/** Internal helpers shared by the survival routines (not part of the public API). */

/** Distinct sorted values of x (ascending) as a Float64Array. */
export function uniqueSorted(x: ArrayLike<number>): Float64Array {
  const s = Float64Array.from(x as ArrayLike<number>).sort();
  let m = 0;
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[m - 1]) s[m++] = s[i];
  return s.slice(0, m);
}

/** For each x[i], its position in the ascending distinct array u (binary search). */
export function indexIn(u: Float64Array, x: ArrayLike<number>): Int32Array {
  const out = new Int32Array(x.length);
  const n = u.length;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

/** Stable counting sort of 0..n-1 by integer key in [0, k). Returns the permutation. */
export function countingOrder(key: Int32Array, k: number): Int32Array {
  const cnt = new Int32Array(k + 1);
  for (let i = 0; i < key.length; i++) cnt[key[i] + 1]++;
  for (let j = 0; j < k; j++) cnt[j + 1] += cnt[j];
  const ord = new Int32Array(key.length);
  for (let i = 0; i < key.length; i++) ord[cnt[key[i]]++] = i;
  return ord;
}

/** Solve A x = b for symmetric positive (semi)definite A (row-major n×n) via Cholesky
 *  with R's `cholesky2` convention: pivots ≤ tol·max|diag| are treated as zero (column dropped).
 *  Returns the inverse (generalized, zero rows/cols for dropped) and the rank. */
export function cholInverse(a: Float64Array, n: number, tol = 1e-9): { inv: Float64Array; rank: number; nonDefinite: boolean } {
  // LDL' decomposition as in survival's cholesky2: lower triangle holds L, diag holds D.
  const m = Float64Array.from(a);
  let eps = 0;
  for (let i = 0; i < n; i++) if (Math.abs(m[i * n + i]) > eps) eps = Math.abs(m[i * n + i]);
  eps = eps === 0 ? tol : eps * tol;
  let rank = 0;
  let nonDefinite = false;
  for (let i = 0; i < n; i++) {
    const pivot = m[i * n + i];
    if (!Number.isFinite(pivot) || pivot < eps) {
      if (pivot < -8 * eps) nonDefinite = true;
      m[i * n + i] = 0;
      for (let j = i + 1; j < n; j++) m[j * n + i] = 0;
      continue;
    }
    rank++;
    for (let j = i + 1; j < n; j++) {
      const temp = m[j * n + i] / pivot;
      m[j * n + i] = temp;
      m[j * n + j] -= temp * temp * pivot;
      for (let k = j + 1; k < n; k++) m[k * n + j] -= temp * m[k * n + i];
    }
  }
  // invert L (unit lower) and D
  const inv = new Float64Array(n * n);
  // compute full inverse by solving for each unit vector
  const y = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    y.fill(0);
    y[c] = 1;
    // forward: L y = e
    for (let i = 0; i < n; i++) {
      let s = y[i];
      for (let k = 0; k < i; k++) s -= m[i * n + k] * y[k];
      y[i] = s;
    }
    for (let i = 0; i < n; i++) y[i] = m[i * n + i] === 0 ? 0 : y[i] / m[i * n + i];
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i];
      for (let k = i + 1; k < n; k++) s -= m[k * n + i] * y[k];
      y[i] = m[i * n + i] === 0 ? 0 : s;
    }
    for (let i = 0; i < n; i++) inv[i * n + c] = y[i];
  }
  return { inv, rank, nonDefinite };
}

/** Quadratic form bᵀ M b for row-major n×n M. */
export function quadForm(m: Float64Array, b: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += m[i * n + j] * b[j];
    s += b[i] * r;
  }
  return s;
}

/** M b for row-major n×n M. */
export function matVec(m: Float64Array, b: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += m[i * n + j] * b[j];
    out[i] = r;
  }
  return out;
}

/**
 * Distinct sorted values and the index of each element among them.
 * Integer-valued data with a moderate range (e.g. survival times in days) are bucketed in O(n);
 * otherwise a typed-array sort plus binary search is used.
 */
export function rankDistinct(x: ArrayLike<number>): { u: Float64Array; idx: Int32Array } {
  const n = x.length;
  let lo = Infinity;
  let hi = -Infinity;
  let integer = true;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (integer && Math.floor(v) !== v) integer = false;
  }
  const range = hi - lo;
  if (n > 0 && integer && range <= 4 * n + 1024 && range < 2 ** 31 - 2) {
    const m = range + 1;
    const slot = new Int32Array(m).fill(-1);
    for (let i = 0; i < n; i++) slot[x[i] - lo] = 0;
    let k = 0;
    for (let j = 0; j < m; j++) if (slot[j] === 0) slot[j] = k++;
    const u = new Float64Array(k);
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = slot[x[i] - lo];
      idx[i] = r;
      u[r] = x[i];
    }
    return { u, idx };
  }
  const u = uniqueSorted(x);
  return { u, idx: indexIn(u, x) };
}

/**
 * R's `timefix = TRUE` (survival `aeqSurv`): distinct times closer than sqrt(eps), absolutely or
 * relative to the mean absolute distinct time, are merged into the smallest of the run, so that
 * floating-point near-duplicates (e.g. 1/3 computed two ways) count as ties. Returns the input
 * unchanged when there is nothing to merge.
 */
export function timefix(time: ArrayLike<number>): ArrayLike<number> {
  return timefixRanked(time).time;
}

/**
 * timefix, also returning the distinct-value ranks of the result when nothing was merged
 * (`rank` is then exactly `rankDistinct(time)`, so callers need not sort the times again);
 * `rank` is null when near-duplicates were merged.
 */
export function timefixRanked(time: ArrayLike<number>): { time: ArrayLike<number>; rank: { u: Float64Array; idx: Int32Array } | null } {
  const ranked = rankDistinct(time);
  const { u, idx } = ranked;
  const k = u.length;
  if (k < 2) return { time, rank: ranked };
  let meanAbs = 0;
  for (let i = 0; i < k; i++) meanAbs += Math.abs(u[i]);
  meanAbs /= k;
  const tol = Math.sqrt(2.220446049250313e-16);
  const isTied = (i: number) => {
    const dy = u[i] - u[i - 1];
    return dy <= tol || dy / meanAbs <= tol;
  };
  let any = false;
  for (let i = 1; i < k && !any; i++) if (isTied(i)) any = true;
  if (!any) return { time, rank: ranked };
  const rep = new Float64Array(k);
  rep[0] = u[0];
  for (let i = 1; i < k; i++) rep[i] = isTied(i) ? rep[i - 1] : u[i];
  const out = new Float64Array(time.length);
  for (let i = 0; i < time.length; i++) out[i] = rep[idx[i]];
  return { time: out, rank: null };
}
