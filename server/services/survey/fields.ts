/**
 * What a survey may show or use from an analysis row. The vignette (part 2+) shows only the
 * fields the coordinator picks from this list; dates, record ids, names, outcomes and free-text
 * covariates are never offered.
 */
import type { AnalysisRow } from '../dataset.ts';

export interface FieldDef {
  key: string;
  label: string;
  get: (row: AnalysisRow) => string | number | null;
}

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

export const BUILTIN_VIGNETTE_FIELDS: FieldDef[] = [
  { key: 'sex', label: 'Sex', get: (r) => (r.sex === 'M' ? 'male' : r.sex === 'F' ? 'female' : null) },
  { key: 'age', label: 'Age (years)', get: (r) => (r.chronoAge === null ? null : Math.floor(r.chronoAge)) },
  { key: 'site', label: 'Tumour site', get: (r) => r.site },
  { key: 'diagnosis', label: 'Diagnosis', get: (r) => r.diagnosis },
  { key: 'treatmentIntent', label: 'Treatment intent', get: (r) => r.treatmentIntent },
  { key: 'ecog', label: 'ECOG performance status', get: (r) => r.ecog },
  { key: 'smoking', label: 'Smoking', get: (r) => r.smoking },
  { key: 'bmi', label: 'BMI', get: (r) => round1(r.bmi) },
];

/** Custom covariates usable in a vignette: numeric and categorical only (never date or text). */
export function vignetteFieldDefs(customCovariates: { name: string; type: string }[]): FieldDef[] {
  const custom = customCovariates
    .filter((c) => c.type === 'numeric' || c.type === 'categorical')
    .map<FieldDef>((c) => ({ key: `covariates.${c.name}`, label: c.name, get: (r) => r.covariates[c.name] ?? null }));
  return [...BUILTIN_VIGNETTE_FIELDS, ...custom];
}

/** Terms of the part-3 Cox model besides FaceAge: numeric columns (sex as male = 1). */
export const BUILTIN_MODEL_TERMS: FieldDef[] = [
  { key: 'chronoAge', label: 'Chronological age (years)', get: (r) => r.chronoAge },
  { key: 'male', label: 'Sex (male = 1)', get: (r) => (r.sex === 'M' ? 1 : r.sex === 'F' ? 0 : null) },
  { key: 'ecog', label: 'ECOG', get: (r) => r.ecog },
  { key: 'bmi', label: 'BMI', get: (r) => r.bmi },
  { key: 'palliative', label: 'Palliative intent (= 1)', get: (r) => (r.treatmentIntent === 'palliative' ? 1 : r.treatmentIntent === 'curative' ? 0 : null) },
];

export function modelTermDefs(customCovariates: { name: string; type: string }[]): FieldDef[] {
  const custom = customCovariates
    .filter((c) => c.type === 'numeric')
    .map<FieldDef>((c) => ({ key: `covariates.${c.name}`, label: c.name, get: (r) => (typeof r.covariates[c.name] === 'number' ? (r.covariates[c.name] as number) : null) }));
  return [...BUILTIN_MODEL_TERMS, ...custom];
}

/** Sampling strata. outcome6m = died within 6 months / alive at 6 months / censored before. */
export const STRATA: FieldDef[] = [
  { key: 'outcome6m', label: '6-month outcome', get: (r) => outcome6m(r) },
  { key: 'sex', label: 'Sex', get: (r) => r.sex },
  { key: 'site', label: 'Tumour site', get: (r) => r.site },
  { key: 'ecog', label: 'ECOG', get: (r) => r.ecog },
];

export const HORIZON_YEARS = 0.5;

/** 'dead' (event within 6 months), 'alive' (followed beyond 6 months), 'unknown' (censored earlier). */
export function outcome6m(r: { survivalYears: number | null; event: 0 | 1 | null }): 'dead' | 'alive' | 'unknown' {
  if (r.survivalYears === null || r.event === null) return 'unknown';
  if (r.survivalYears <= HORIZON_YEARS && r.event === 1) return 'dead';
  if (r.survivalYears > HORIZON_YEARS) return 'alive';
  return 'unknown';
}
