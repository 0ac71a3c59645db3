/**
 * Patient sampling for a survey, reproducible from the recorded seed.
 * random: a seeded shuffle of the eligible rows (sorted by patient id first, so the database
 * order does not matter) and the first `size`.
 * stratified: proportional allocation by the stratum variable (largest remainder, ties broken
 * by stratum name), then a seeded shuffle within each stratum.
 */
import { mixSeed, seededShuffle } from '../random.ts';

export interface Sampled<T> {
  row: T;
  stratum: string | null;
}

export function sampleRows<T extends { patientId: string }>(
  rows: readonly T[],
  opts: { method: 'random' | 'stratified'; size: number; seed: number; stratum?: (row: T) => string | number | null },
): Sampled<T>[] {
  const sorted = [...rows].sort((a, b) => (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0));
  const size = Math.min(opts.size, sorted.length);
  if (opts.method === 'random' || !opts.stratum) {
    return seededShuffle(sorted, opts.seed)
      .slice(0, size)
      .map((row) => ({ row, stratum: null }));
  }
  const groups = new Map<string, T[]>();
  for (const r of sorted) {
    const v = opts.stratum(r);
    const key = v === null || v === undefined || v === '' ? '(missing)' : String(v);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const keys = [...groups.keys()].sort();
  const exact = keys.map((k) => (groups.get(k)!.length * size) / sorted.length);
  const alloc = exact.map(Math.floor);
  let left = size - alloc.reduce((a, b) => a + b, 0);
  const order = keys.map((_, i) => i).sort((a, b) => exact[b] - alloc[b] - (exact[a] - alloc[a]) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    if (alloc[i] < groups.get(keys[i])!.length) {
      alloc[i]++;
      left--;
    }
  }
  const out: Sampled<T>[] = [];
  keys.forEach((k, i) => {
    for (const row of seededShuffle(groups.get(k)!, mixSeed(opts.seed, i + 1)).slice(0, alloc[i])) out.push({ row, stratum: k });
  });
  // interleave strata in the stored sample order (the raters' orders are shuffled anyway)
  return seededShuffle(out, mixSeed(opts.seed, 0));
}
