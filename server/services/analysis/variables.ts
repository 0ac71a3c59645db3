/**
 * Variables of the analysis dataset as the dashboards see them: names, labels, kinds, and how to
 * read a value from an AnalysisRow. Custom covariates are addressed as `cov.<name>`.
 */
import type { AnalysisRow } from '../dataset.ts';

export type VariableKind = 'numeric' | 'categorical';

export interface VariableInfo {
  name: string;
  label: string;
  kind: VariableKind;
  /** categorical: levels present in the data (sorted like R factor levels) */
  levels?: string[];
  /** categorical: the natural reference level (e.g. never smokers), else the first level */
  reference?: string;
  /** numeric: a sensible default scale for Cox (per 10 years for ages) */
  defaultScale?: number;
  nonMissing: number;
}

type Getter = (r: AnalysisRow) => string | number | null;

export function bmiClass(bmi: number | null): string | null {
  if (bmi === null || !Number.isFinite(bmi)) return null;
  if (bmi < 18.5) return 'underweight (<18.5)';
  if (bmi < 25) return 'normal (18.5–25)';
  if (bmi < 30) return 'overweight (25–30)';
  return 'obese (≥30)';
}

const BUILTIN: Record<string, { label: string; kind: VariableKind; get: Getter; defaultScale?: number }> = {
  faceAge: { label: 'FaceAge', kind: 'numeric', get: (r) => r.faceAge, defaultScale: 10 },
  chronoAge: { label: 'Chronological age', kind: 'numeric', get: (r) => r.chronoAge, defaultScale: 10 },
  ageGap: { label: 'Age gap (FaceAge − age)', kind: 'numeric', get: (r) => r.ageGap, defaultScale: 10 },
  ecog: { label: 'ECOG', kind: 'numeric', get: (r) => r.ecog, defaultScale: 1 },
  bmi: { label: 'BMI', kind: 'numeric', get: (r) => r.bmi, defaultScale: 1 },
  sex: { label: 'Sex', kind: 'categorical', get: (r) => r.sex },
  site: { label: 'Site', kind: 'categorical', get: (r) => r.site },
  diagnosis: { label: 'Diagnosis', kind: 'categorical', get: (r) => r.diagnosis },
  treatmentIntent: { label: 'Treatment intent', kind: 'categorical', get: (r) => r.treatmentIntent },
  smoking: { label: 'Smoking', kind: 'categorical', get: (r) => r.smoking },
  ecogGroup: { label: 'ECOG (categorical)', kind: 'categorical', get: (r) => (r.ecog === null ? null : String(r.ecog)) },
  bmiClass: { label: 'BMI class', kind: 'categorical', get: (r) => bmiClass(r.bmi) },
};

/** Reads variable `name` from a row; categorical values come back as strings. */
export function getter(name: string): { get: Getter; kind: VariableKind; label: string } {
  const b = BUILTIN[name];
  if (b) return b;
  if (name.startsWith('cov.')) {
    const key = name.slice(4);
    return { get: (r) => r.covariates[key] ?? null, kind: 'categorical', label: key };
  }
  throw new Error(`unknown variable ${name}`);
}

export function variableLabel(name: string): string {
  return BUILTIN[name]?.label ?? (name.startsWith('cov.') ? name.slice(4) : name);
}

const clean = (v: unknown): string | number | null => (v === null || v === undefined || v === '' || (typeof v === 'number' && !Number.isFinite(v)) ? null : (v as string | number));

/** Values of a variable across rows: numbers for numeric variables, strings for categorical ones. */
export function numericValues(rows: AnalysisRow[], name: string): (number | null)[] {
  const { get } = getter(name);
  return rows.map((r) => {
    const v = clean(get(r));
    if (v === null) return null;
    const num = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(num) ? num : null;
  });
}

export function categoricalValues(rows: AnalysisRow[], name: string): (string | null)[] {
  const { get } = getter(name);
  return rows.map((r) => {
    const v = clean(get(r));
    return v === null ? null : String(v);
  });
}

/** Sorted distinct levels (numeric-looking strings numerically), like R's factor(). */
export function levelsOf(values: (string | null)[]): string[] {
  const set = new Set<string>();
  for (const v of values) if (v !== null) set.add(v);
  const arr = [...set];
  const allNum = arr.length > 0 && arr.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  return allNum ? arr.sort((a, b) => Number(a) - Number(b)) : arr.sort();
}

/** Natural reference levels for comparisons (else the first level, as R's factor). */
export const PREFERRED_REFERENCE: Record<string, string[]> = {
  smoking: ['never'],
  ecogGroup: ['0'],
  bmiClass: ['normal (18.5–25)'],
  treatmentIntent: ['curative'],
  'cov.race': ['White'],
};

export function referenceLevel(variable: string, levels: string[]): string | undefined {
  return PREFERRED_REFERENCE[variable]?.find((l) => levels.includes(l)) ?? levels[0];
}

/** Every variable the dashboards can group or model by, with what the data holds. */
export function describeVariables(rows: AnalysisRow[]): VariableInfo[] {
  const out: VariableInfo[] = [];
  for (const [name, b] of Object.entries(BUILTIN)) {
    if (b.kind === 'numeric') {
      const vals = numericValues(rows, name);
      out.push({ name, label: b.label, kind: 'numeric', defaultScale: b.defaultScale, nonMissing: vals.filter((v) => v !== null).length });
    } else {
      const vals = categoricalValues(rows, name);
      const levels = levelsOf(vals);
      out.push({ name, label: b.label, kind: 'categorical', levels, reference: referenceLevel(name, levels), nonMissing: vals.filter((v) => v !== null).length });
    }
  }
  const customKeys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.covariates)) customKeys.add(k);
  for (const key of [...customKeys].sort()) {
    const name = `cov.${key}`;
    const raw = rows.map((r) => clean(r.covariates[key]));
    const present = raw.filter((v) => v !== null);
    const numeric = present.length > 0 && present.every((v) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))));
    const distinct = new Set(present.map(String)).size;
    // a numeric covariate with many values is numeric; few values (or text) are categories
    if (numeric && distinct > 10) out.push({ name, label: key, kind: 'numeric', defaultScale: 1, nonMissing: present.length });
    else {
      const levels = levelsOf(raw.map((v) => (v === null ? null : String(v))));
      out.push({ name, label: key, kind: 'categorical', levels, reference: referenceLevel(name, levels), nonMissing: present.length });
    }
  }
  return out.filter((v) => v.nonMissing > 0);
}

/** Numeric values of a variable from rows, also for numeric custom covariates. */
export function numericOf(rows: AnalysisRow[], name: string): (number | null)[] {
  if (name.startsWith('cov.')) {
    const key = name.slice(4);
    return rows.map((r) => {
      const v = clean(r.covariates[key]);
      if (v === null) return null;
      const num = Number(v);
      return Number.isFinite(num) ? num : null;
    });
  }
  return numericValues(rows, name);
}

/** Sample quantile, R type 7 (the default of quantile()). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

const fmt = (v: number) => (Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : v.toFixed(1));

/**
 * Interval labels for cut points c₁ < … < c_k as in the paper: "≤c₁", "c₁–c₂", …, ">c_k";
 * intervals are right-closed, (c_{i−1}, c_i].
 */
export function intervalLabels(cuts: number[]): string[] {
  if (cuts.length === 0) return ['all'];
  const out = [`≤${fmt(cuts[0])}`];
  for (let i = 1; i < cuts.length; i++) out.push(`${fmt(cuts[i - 1])}–${fmt(cuts[i])}`);
  out.push(`>${fmt(cuts[cuts.length - 1])}`);
  return out;
}

export function intervalIndex(v: number, cuts: number[]): number {
  let i = 0;
  while (i < cuts.length && v > cuts[i]) i++;
  return i;
}
