import fs from 'node:fs';
import path from 'node:path';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

export function loadFixture(rel: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, rel), 'utf8'));
}

/** Fixture number encoding: "NA" → null, "NaN" → NaN, "Inf"/"-Inf" → ±Infinity. */
export function decode(v: unknown): number | null {
  if (v === 'NA' || v === null) return null;
  if (v === 'NaN') return NaN;
  if (v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return v as number;
}

export function numCol(a: unknown[]): number[] {
  return a.map((v) => {
    const d = decode(v);
    return d === null ? NaN : d;
  });
}

export const REL = 1e-6;
export const ABS = 1e-9;

/** Collects comparisons; `errors` lists every failure; `maxRel` tracks the worst relative error. */
export class Checker {
  errors: string[] = [];
  count = 0;
  maxRel = 0;
  maxRelAt = '';
  /** compare a number (or null/NaN) to a fixture value */
  num(actual: number | null | undefined, expectedRaw: unknown, where: string, opts: { exact?: boolean; abs?: number } = {}): void {
    this.count++;
    const e = decode(expectedRaw);
    const a = actual === undefined ? null : actual;
    if (e === null) {
      if (!(a === null || Number.isNaN(a))) this.errors.push(`${where}: expected NA, got ${a}`);
      return;
    }
    if (Number.isNaN(e)) {
      if (!(a !== null && Number.isNaN(a))) this.errors.push(`${where}: expected NaN, got ${a}`);
      return;
    }
    if (a === null || Number.isNaN(a)) {
      this.errors.push(`${where}: expected ${e}, got ${a}`);
      return;
    }
    if (!Number.isFinite(e)) {
      if (a !== e) this.errors.push(`${where}: expected ${e}, got ${a}`);
      return;
    }
    if (opts.exact) {
      if (a !== e) this.errors.push(`${where}: expected exactly ${e}, got ${a}`);
      return;
    }
    const diff = Math.abs(a - e);
    const rel = e === 0 ? diff : diff / Math.abs(e);
    // worst relative error over values not near zero (|e| > 1e-8)
    if (Math.abs(e) > 1e-8 && rel > this.maxRel) {
      this.maxRel = rel;
      this.maxRelAt = where;
    }
    if (!(diff <= (opts.abs ?? ABS) || diff <= REL * Math.abs(e))) this.errors.push(`${where}: expected ${e}, got ${a} (rel ${rel.toExponential(2)})`);
  }
  arr(actual: ArrayLike<number | null> | undefined, expected: unknown[] | unknown, where: string, opts: { exact?: boolean } = {}): void {
    const exp = Array.isArray(expected) ? expected : [expected];
    if (!actual) {
      this.errors.push(`${where}: missing`);
      return;
    }
    if (actual.length !== exp.length) {
      this.errors.push(`${where}: length ${actual.length} vs expected ${exp.length}`);
      return;
    }
    for (let i = 0; i < exp.length; i++) this.num(actual[i], exp[i], `${where}[${i}]`, opts);
  }
  eq(actual: unknown, expected: unknown, where: string): void {
    this.count++;
    if (JSON.stringify(actual) !== JSON.stringify(expected)) this.errors.push(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}
