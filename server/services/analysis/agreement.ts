/**
 * Agreement of FaceAge with chronological age (scatter, regression line, r, R², MAE, bias), the
 * age-gap histogram, the age gap by subgroup with Welch t-tests, and the validation report
 * (MAE, r, R², bias overall, by sex, by race and by age band; the paper's Extended Data Fig. 1).
 * Numbers from stats/.
 */
import { z } from 'zod';
import { linearRegression, meanAbsoluteError, pearson, spearman, tTest } from '~/stats/index.ts';
import type { AnalysisRow } from '../dataset.ts';
import { UserError } from '../errors.ts';
import { mulberry32 as prng } from '../random.ts';
import { categoricalValues, levelsOf, referenceLevel, variableLabel } from './variables.ts';

export interface AgreementStats {
  n: number;
  mae: number | null;
  /** mean of FaceAge − chronological age */
  bias: number | null;
  sdGap: number | null;
  r: number | null;
  rCi: [number, number] | null;
  rP: number | null;
  rSquared: number | null;
  spearmanRho: number | null;
  /** FaceAge = intercept + slope · age */
  intercept: number | null;
  slope: number | null;
}

/** Rows with both ages known. */
export function agePairs(rows: AnalysisRow[]): { rows: AnalysisRow[]; age: number[]; face: number[] } {
  const used = rows.filter((r) => r.chronoAge !== null && r.faceAge !== null && Number.isFinite(r.chronoAge) && Number.isFinite(r.faceAge));
  return { rows: used, age: used.map((r) => r.chronoAge as number), face: used.map((r) => r.faceAge as number) };
}

/** MAE, bias, r, R², Spearman and the regression of FaceAge on age. */
export function agreementStats(age: number[], face: number[]): AgreementStats {
  const n = age.length;
  const out: AgreementStats = { n, mae: null, bias: null, sdGap: null, r: null, rCi: null, rP: null, rSquared: null, spearmanRho: null, intercept: null, slope: null };
  if (n === 0) return out;
  out.mae = meanAbsoluteError(face, age);
  let s = 0;
  for (let i = 0; i < n; i++) s += face[i] - age[i];
  out.bias = s / n;
  if (n >= 2) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (face[i] - age[i] - out.bias) ** 2;
    out.sdGap = Math.sqrt(ss / (n - 1));
  }
  if (n >= 3) {
    try {
      const p = pearson(age, face);
      out.r = p.r;
      out.rCi = p.confInt;
      out.rP = p.pValue;
      const lm = linearRegression(age, face);
      out.rSquared = lm.rSquared;
      out.intercept = lm.intercept;
      out.slope = lm.slope;
      out.spearmanRho = spearman(age, face).rho;
    } catch {
      // constant ages: correlation undefined; MAE and bias still stand
    }
  }
  return out;
}

export const agreementOptionsSchema = z.object({
  /** subgroup variables for the age-gap comparison */
  subgroups: z.array(z.string().min(1).max(200)).max(20).default(['sex', 'smoking', 'ecogGroup', 'bmiClass', 'site']),
  binWidth: z.number().positive().max(50).default(2),
  /** scatter points sent to the browser (random sample when there are more) */
  maxPoints: z.number().int().min(100).max(50_000).default(3000),
});
export type AgreementOptions = z.input<typeof agreementOptionsSchema>;

export interface SubgroupLevel {
  level: string;
  n: number;
  mean: number;
  sd: number | null;
  /** Welch t-test of this level against the reference level (null for the reference) */
  test: { statistic: number; df: number; pValue: number; diff: number; confInt: [number, number] } | null;
}

export interface SubgroupResult {
  variable: string;
  label: string;
  reference: string | null;
  levels: SubgroupLevel[];
  note: string | null;
}

export interface AgreementResult {
  stats: AgreementStats;
  points: { recordId: string; age: number; faceAge: number }[];
  pointsSampled: boolean;
  histogram: { from: number; to: number; count: number }[];
  subgroups: SubgroupResult[];
}

function meanSd(x: number[]): [number, number | null] {
  const n = x.length;
  let m = 0;
  for (const v of x) m += v;
  m /= n;
  if (n < 2) return [m, null];
  let ss = 0;
  for (const v of x) ss += (v - m) ** 2;
  return [m, Math.sqrt(ss / (n - 1))];
}

/** Age gap by the levels of a categorical variable; each level tested against the reference (listed first). */
export function gapBySubgroup(rows: AnalysisRow[], variable: string): SubgroupResult {
  let values: (string | null)[];
  try {
    values = categoricalValues(rows, variable);
  } catch {
    throw new UserError(`unknown variable ${variable}`);
  }
  const levels = levelsOf(values);
  const gaps: Record<string, number[]> = {};
  for (const l of levels) gaps[l] = [];
  rows.forEach((r, i) => {
    const v = values[i];
    if (v !== null && r.ageGap !== null && Number.isFinite(r.ageGap)) gaps[v].push(r.ageGap);
  });
  const ordered = levels.filter((l) => gaps[l].length > 0);
  const reference = ordered.length ? (referenceLevel(variable, ordered) ?? null) : null;
  const present = reference ? [reference, ...ordered.filter((l) => l !== reference)] : ordered;
  const out: SubgroupLevel[] = present.map((l) => {
    const [mean, sd] = meanSd(gaps[l]);
    let test: SubgroupLevel['test'] = null;
    if (l !== reference && reference !== null && gaps[l].length >= 2 && gaps[reference].length >= 2) {
      try {
        const t = tTest({ x: gaps[l], y: gaps[reference] });
        test = { statistic: t.statistic, df: t.df, pValue: t.pValue, diff: t.estimate[0] - t.estimate[1], confInt: t.confInt };
      } catch {
        test = null;
      }
    }
    return { level: l, n: gaps[l].length, mean, sd, test };
  });
  return {
    variable,
    label: variableLabel(variable),
    reference,
    levels: out,
    note: present.length < 2 ? 'fewer than two levels with data: no test' : null,
  };
}

/** Deterministic sample of k indices out of n (same picture on every reload). */
function sampleIndices(n: number, k: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  const idx = Array.from({ length: n }, (_, i) => i);
  const rand = prng(12345);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k).sort((a, b) => a - b);
}

export function agreementAnalysis(allRows: AnalysisRow[], options: AgreementOptions = {}): AgreementResult {
  const opts = agreementOptionsSchema.parse(options);
  const { rows, age, face } = agePairs(allRows);
  if (rows.length === 0) throw new UserError('no patients with both FaceAge and chronological age');
  const stats = agreementStats(age, face);
  const pick = sampleIndices(rows.length, opts.maxPoints);
  const points = pick.map((i) => ({ recordId: rows[i].recordId, age: age[i], faceAge: face[i] }));
  const gaps = rows.map((_, i) => face[i] - age[i]);
  let lo = Infinity;
  let hi = -Infinity;
  for (const g of gaps) {
    if (g < lo) lo = g;
    if (g > hi) hi = g;
  }
  const w = opts.binWidth;
  const start = Math.floor(lo / w) * w;
  const nb = Math.max(1, Math.floor((hi - start) / w) + 1);
  const counts = new Array(nb).fill(0);
  for (const g of gaps) counts[Math.min(nb - 1, Math.floor((g - start) / w))]++;
  const histogram = counts.map((count, k) => ({ from: start + k * w, to: start + (k + 1) * w, count }));
  const subgroups = opts.subgroups.map((v) => gapBySubgroup(rows, v));
  return { stats, points, pointsSampled: rows.length > opts.maxPoints, histogram, subgroups };
}

export interface ValidationGroup {
  group: string;
  stats: AgreementStats;
}

export interface ValidationResult {
  overall: AgreementStats;
  bySex: ValidationGroup[];
  byRace: ValidationGroup[];
  byAgeBand: ValidationGroup[];
  raceVariable: string | null;
  /** the rows used: QA not culled, both ages known (curation for survival not required) */
  n: number;
}

export const AGE_BANDS = [
  [0, 20],
  [20, 40],
  [40, 60],
  [60, 80],
  [80, 200],
] as const;

function byLevels(rows: AnalysisRow[], values: (string | null)[]): ValidationGroup[] {
  const levels = levelsOf(values);
  return levels.map((l) => {
    const sub = rows.filter((_, i) => values[i] === l);
    return { group: l, stats: agreementStats(sub.map((r) => r.chronoAge as number), sub.map((r) => r.faceAge as number)) };
  });
}

/**
 * Validation report on a labelled cohort (e.g. healthy faces with known ages): MAE, r, R² and
 * bias overall, by sex, by race (custom covariate `race`, else `ethnicity`) and by age band.
 * Uses every patient with both ages whose photo was not culled at QA: survival data and the
 * treatment-date rules of the curation are not needed for age validation.
 */
export function validationAnalysis(allRows: AnalysisRow[]): ValidationResult {
  const rows = agePairs(allRows.filter((r) => r.qaStatus !== 'culled')).rows;
  if (rows.length === 0) throw new UserError('no patients with both FaceAge and chronological age');
  const overall = agreementStats(rows.map((r) => r.chronoAge as number), rows.map((r) => r.faceAge as number));
  const bySex = byLevels(rows, categoricalValues(rows, 'sex'));
  const raceKey = ['race', 'Race', 'ethnicity', 'Ethnicity'].find((k) => rows.some((r) => r.covariates[k] !== undefined && r.covariates[k] !== null)) ?? null;
  const byRace = raceKey ? byLevels(rows, categoricalValues(rows, `cov.${raceKey}`)) : [];
  const bandLabels = rows.map((r) => {
    const a = r.chronoAge as number;
    const b = AGE_BANDS.find(([lo, hi]) => a >= lo && a < hi);
    return b ? (b[1] >= 200 ? `${b[0]}+` : `${b[0]}–${b[1]}`) : null;
  });
  const order = AGE_BANDS.map(([lo, hi]) => (hi >= 200 ? `${lo}+` : `${lo}–${hi}`));
  const byAgeBand = order
    .map((label) => {
      const sub = rows.filter((_, i) => bandLabels[i] === label);
      return { group: label, stats: agreementStats(sub.map((r) => r.chronoAge as number), sub.map((r) => r.faceAge as number)) };
    })
    .filter((g) => g.stats.n > 0);
  return { overall, bySex, byRace, byAgeBand, raceVariable: raceKey, n: rows.length };
}
