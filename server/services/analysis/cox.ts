/**
 * Cox view: univariable or multivariable models from chosen terms (numeric with a scale such as
 * per 10 years, categorical with a reference level), the likelihood-ratio test of adding FaceAge
 * to the clinical model, cox.zph, and predicted survival per patient. Numbers from stats/.
 */
import { z } from 'zod';
import { coxPH, coxZph, designMatrix, likelihoodRatioTest, predictSurvival, StatsInputError, type CoxResult, type DesignTerm } from '~/stats/index.ts';
import type { AnalysisRow } from '../dataset.ts';
import { UserError } from '../errors.ts';
import { survivalRows } from './km.ts';
import { categoricalValues, getter, levelsOf, numericOf, variableLabel } from './variables.ts';

export const termSchema = z.discriminatedUnion('type', [
  z.object({ variable: z.string().min(1).max(200), type: z.literal('numeric'), scale: z.number().positive().max(1e6).default(1) }),
  z.object({ variable: z.string().min(1).max(200), type: z.literal('factor'), reference: z.string().max(200).nullable().default(null) }),
]);
export type TermSpec = z.infer<typeof termSchema>;

export const FACEAGE_TERM: TermSpec = { variable: 'faceAge', type: 'numeric', scale: 10 };

export const coxOptionsSchema = z.object({
  terms: z.array(termSchema).min(1).max(30),
  mode: z.enum(['multivariable', 'univariable']).default('multivariable'),
  ties: z.enum(['efron', 'breslow']).default('efron'),
  /** run the LRT of adding FaceAge (per 10 years unless a FaceAge term is among the terms) */
  faceAgeLrt: z.boolean().default(true),
  /** warn when cox.zph p (per term or global) is below this */
  zphAlpha: z.number().gt(0).lt(1).default(0.05),
});
export type CoxOptions = z.input<typeof coxOptionsSchema>;

export const DEFAULT_COX_TERMS: TermSpec[] = [
  { variable: 'faceAge', type: 'numeric', scale: 10 },
  { variable: 'chronoAge', type: 'numeric', scale: 10 },
  { variable: 'sex', type: 'factor', reference: null },
  { variable: 'site', type: 'factor', reference: null },
  { variable: 'ecog', type: 'numeric', scale: 1 },
];

/** Column name for a term in the design (safe, stable): variable + scale suffix. */
function termKey(t: TermSpec): string {
  return t.type === 'numeric' && t.scale !== 1 ? `${t.variable}/${t.scale}` : t.variable;
}

export function termLabel(t: TermSpec): string {
  const base = variableLabel(t.variable);
  if (t.type === 'numeric') return t.scale === 1 ? base : `${base} (per ${t.scale}${/age|gap/i.test(t.variable) ? ' years' : ''})`;
  return base;
}

export interface CoxDesign {
  /** the table handed to designMatrix: one column per term (values already read from rows) */
  table: Record<string, (string | number | null)[]>;
  terms: DesignTerm[];
  specs: TermSpec[];
}

/** The column table and designMatrix terms for the chosen specs (exported for tests). */
export function buildDesign(rows: AnalysisRow[], specs: TermSpec[]): CoxDesign {
  const table: Record<string, (string | number | null)[]> = {};
  const terms: DesignTerm[] = [];
  for (const spec of specs) {
    try {
      getter(spec.variable);
    } catch {
      throw new UserError(`unknown variable ${spec.variable}`);
    }
    const key = termKey(spec);
    if (table[key]) throw new UserError(`${termLabel(spec)} is chosen twice`);
    if (spec.type === 'numeric') {
      table[key] = numericOf(rows, spec.variable);
      if (table[key].every((v) => v === null)) throw new UserError(`${variableLabel(spec.variable)} has no numeric values`);
      terms.push({ name: key, type: 'numeric', scale: spec.scale });
    } else {
      const vals = categoricalValues(rows, spec.variable);
      const levels = levelsOf(vals);
      if (levels.length < 2) throw new UserError(`${variableLabel(spec.variable)} has fewer than two levels`);
      if (spec.reference !== null && !levels.includes(spec.reference)) throw new UserError(`${variableLabel(spec.variable)} has no level "${spec.reference}"`);
      table[key] = vals;
      terms.push({ name: key, type: 'factor', levels, reference: spec.reference ?? levels[0] });
    }
  }
  return { table, terms, specs };
}

export interface CoxRow {
  term: string;
  label: string;
  /** for factor terms: the level compared with the reference */
  level: string | null;
  reference: string | null;
  isReference: boolean;
  coef: number | null;
  se: number | null;
  hr: number;
  lower: number | null;
  upper: number | null;
  p: number | null;
  /** patients and events in the model this row comes from */
  n: number;
  events: number;
}

export interface CoxModelSummary {
  rows: CoxRow[];
  n: number;
  events: number;
  nDropped: number;
  concordance: number;
  concordanceSe: number;
  logLik: number;
  lrTest: { chisq: number; df: number; pValue: number };
  waldTest: { chisq: number; df: number; pValue: number };
  scoreTest: { chisq: number; df: number; pValue: number };
  zph: { terms: { term: string; label: string; chisq: number; df: number; pValue: number }[]; global: { chisq: number; df: number; pValue: number } } | null;
  warnings: string[];
}

export interface CoxAnalysisResult {
  mode: 'multivariable' | 'univariable';
  ties: 'efron' | 'breslow';
  terms: { spec: TermSpec; label: string }[];
  /** multivariable: one model; univariable: one model per term */
  models: { label: string; model: CoxModelSummary }[];
  /** forest-plot / table rows across models, reference rows included */
  rows: CoxRow[];
  faceAgeLrt: {
    clinicalTerms: string[];
    added: string;
    chisq: number;
    df: number;
    pValue: number;
    n: number;
    events: number;
    logLikClinical: number | null;
    logLikFull: number;
  } | null;
  zphWarning: string | null;
  warnings: string[];
}

type Dm = ReturnType<typeof designMatrix>;

/** Fits the columns of `specs` from an already built design (rows missing any of its terms carry NaN). */
function fitColumns(rows: AnalysisRow[], dm: Dm, specs: TermSpec[], ties: 'efron' | 'breslow', skipConcordance = false, reuseRowsOf?: CoxResult) {
  // Float64Array columns (NaN = missing) take coxPH's typed fast path; same values
  const covariates: Record<string, Float64Array> = {};
  for (const k of specs.map(termKey)) for (const c of dm.termColumns[k]) covariates[c] = Float64Array.from(dm.covariates[c]);
  const time = new Float64Array(rows.length);
  const event = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    time[i] = rows[i].survivalYears as number;
    event[i] = rows[i].event as number;
  }
  try {
    return { fit: coxPH({ time, event, covariates, ties, skipConcordance, reuseRowsOf }), dm };
  } catch (err) {
    if (err instanceof StatsInputError) throw new UserError(`Cox model: ${err.message}`);
    throw err;
  }
}

/** Fits `specs` on the complete cases of `completeFor` (default: of `specs` themselves). */
function fit(rows: AnalysisRow[], specs: TermSpec[], ties: 'efron' | 'breslow', completeFor?: TermSpec[], skipConcordance = false) {
  const design = buildDesign(rows, completeFor ?? specs);
  let dm: Dm;
  try {
    dm = designMatrix(design.table, design.terms);
  } catch (err) {
    if (err instanceof StatsInputError) throw new UserError(`Cox model: ${err.message}`);
    throw err;
  }
  return fitColumns(rows, dm, specs, ties, skipConcordance);
}

function summarise(res: CoxResult, dm: Dm, specs: TermSpec[], zphAlpha: number): CoxModelSummary {
  const rows: CoxRow[] = [];
  for (const spec of specs) {
    const key = termKey(spec);
    const cols = dm.termColumns[key];
    if (spec.type === 'factor') {
      const levels = dm.levels[key].map(String);
      rows.push({ term: key, label: termLabel(spec), level: levels[0], reference: levels[0], isReference: true, coef: null, se: null, hr: 1, lower: null, upper: null, p: null, n: res.n, events: res.nEvent });
      cols.forEach((c, k) => {
        const j = res.terms.indexOf(c);
        rows.push({ term: key, label: termLabel(spec), level: levels[k + 1], reference: levels[0], isReference: false, coef: res.coef[j], se: res.se[j], hr: res.hazardRatio[j], lower: res.lower[j], upper: res.upper[j], p: res.pValue[j], n: res.n, events: res.nEvent });
      });
    } else {
      const j = res.terms.indexOf(cols[0]);
      rows.push({ term: key, label: termLabel(spec), level: null, reference: null, isReference: false, coef: res.coef[j], se: res.se[j], hr: res.hazardRatio[j], lower: res.lower[j], upper: res.upper[j], p: res.pValue[j], n: res.n, events: res.nEvent });
    }
  }
  const warnings = [...res.warnings];
  let zph: CoxModelSummary['zph'] = null;
  try {
    const groups: Record<string, string[]> = {};
    for (const spec of specs) groups[termKey(spec)] = dm.termColumns[termKey(spec)];
    const z = coxZph(res, groups);
    const by = z.byTerm!;
    zph = {
      terms: by.terms.map((t, i) => ({ term: t, label: termLabel(specs.find((s) => termKey(s) === t)!), chisq: by.chisq[i], df: by.df[i], pValue: by.pValue[i] })),
      global: z.global,
    };
  } catch (err) {
    warnings.push(`proportional-hazards check not available: ${err instanceof Error ? err.message : String(err)}`);
  }
  void zphAlpha;
  return {
    rows,
    n: res.n,
    events: res.nEvent,
    nDropped: res.nDropped,
    concordance: res.concordance,
    concordanceSe: res.concordanceSe,
    logLik: res.logLik,
    lrTest: res.lrTest,
    waldTest: res.waldTest,
    scoreTest: res.scoreTest,
    zph,
    warnings,
  };
}

/** The Cox analysis. Pure over rows. */
export function coxAnalysis(allRows: AnalysisRow[], options: CoxOptions): CoxAnalysisResult {
  const opts = coxOptionsSchema.parse(options);
  const rows = survivalRows(allRows);
  if (rows.length === 0) throw new UserError('no patients with survival data in this dataset');
  if (!rows.some((r) => r.event === 1)) throw new UserError('no events in this dataset');
  const specs = opts.terms;
  const models: CoxAnalysisResult['models'] = [];
  const warnings: string[] = [];
  let multi: ReturnType<typeof fit> | null = null;
  if (opts.mode === 'multivariable') {
    const f = (multi = fit(rows, specs, opts.ties));
    models.push({ label: 'Multivariable model', model: summarise(f.fit, f.dm, specs, opts.zphAlpha) });
  } else {
    for (const spec of specs) {
      const f = fit(rows, [spec], opts.ties);
      models.push({ label: termLabel(spec), model: summarise(f.fit, f.dm, [spec], opts.zphAlpha) });
    }
  }
  for (const m of models) warnings.push(...m.model.warnings.map((w) => (opts.mode === 'univariable' ? `${m.label}: ${w}` : w)));

  let faceAgeLrt: CoxAnalysisResult['faceAgeLrt'] = null;
  if (opts.faceAgeLrt) {
    const faceTerms = specs.filter((s) => s.variable === 'faceAge');
    const added = faceTerms.length ? faceTerms : [FACEAGE_TERM];
    const clinical = specs.filter((s) => s.variable !== 'faceAge');
    const full = [...clinical, ...added];
    try {
      // the multivariable model already is the full model when it contains FaceAge
      const fullFit = multi && faceTerms.length ? multi : fit(rows, full, opts.ties, undefined, true);
      if (clinical.length) {
        // same design, same complete cases: the clinical columns of the full model's design
        const clinFit = fitColumns(rows, fullFit.dm, clinical, opts.ties, true, fullFit.fit);
        const t = likelihoodRatioTest(clinFit.fit, fullFit.fit);
        faceAgeLrt = { clinicalTerms: clinical.map(termLabel), added: added.map(termLabel).join(' + '), ...t, n: fullFit.fit.n, events: fullFit.fit.nEvent, logLikClinical: clinFit.fit.logLik, logLikFull: fullFit.fit.logLik };
      } else {
        faceAgeLrt = { clinicalTerms: [], added: added.map(termLabel).join(' + '), ...fullFit.fit.lrTest, n: fullFit.fit.n, events: fullFit.fit.nEvent, logLikClinical: fullFit.fit.logLikNull, logLikFull: fullFit.fit.logLik };
      }
    } catch (err) {
      warnings.push(`likelihood-ratio test for FaceAge not available: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const failing: string[] = [];
  for (const m of models) {
    if (!m.model.zph) continue;
    for (const t of m.model.zph.terms) if (t.pValue < opts.zphAlpha) failing.push(`${t.label} (p = ${t.pValue.toPrecision(2)})`);
    if (opts.mode === 'multivariable' && m.model.zph.global.pValue < opts.zphAlpha) failing.push(`global test (p = ${m.model.zph.global.pValue.toPrecision(2)})`);
  }
  const zphWarning = failing.length ? `Proportional-hazards assumption questionable (cox.zph p < ${opts.zphAlpha}): ${[...new Set(failing)].join(', ')}. Consider stratifying or a time-varying effect.` : null;

  return {
    mode: opts.mode,
    ties: opts.ties,
    terms: specs.map((spec) => ({ spec, label: termLabel(spec) })),
    models,
    rows: models.flatMap((m) => m.model.rows),
    faceAgeLrt,
    zphWarning,
    warnings,
  };
}

export const predictionOptionsSchema = z.object({
  terms: z.array(termSchema).min(1).max(30),
  ties: z.enum(['efron', 'breslow']).default('efron'),
  horizons: z.array(z.number().positive().max(100)).min(1).max(10).default([0.5, 1, 2]),
});
export type PredictionOptions = z.input<typeof predictionOptionsSchema>;

export interface PredictionResult {
  horizons: number[];
  /** horizons beyond the last follow-up have no prediction (extend = FALSE) */
  omittedHorizons: number[];
  baselineCumHaz: number[];
  patients: { patientId: string; recordId: string; linearPredictor: number; survival: (number | null)[] }[];
  nDropped: number;
}

/**
 * Predicted survival at the horizons for every patient in the multivariable model:
 * S(t | x) = exp(−Λ₀(t)·exp(lp)), with Λ₀ the baseline cumulative hazard at the covariate means
 * from `stats.predictSurvival` (R `survfit(fit, newdata)`; identical per patient to calling it
 * with that patient's covariates, in O(n) instead of O(n²)).
 */
export function predictions(allRows: AnalysisRow[], options: PredictionOptions): PredictionResult {
  const opts = predictionOptionsSchema.parse(options);
  const rows = survivalRows(allRows);
  if (!rows.some((r) => r.event === 1)) throw new UserError('no events in this dataset');
  const f = fit(rows, opts.terms, opts.ties);
  const res = f.fit;
  const centre: Record<string, number[]> = {};
  res.terms.forEach((t, j) => (centre[t] = [res.means[j]]));
  const horizons = [...opts.horizons].sort((a, b) => a - b);
  const base = predictSurvival(res, centre, horizons);
  const H0 = horizons.map((h) => {
    const j = base.times.indexOf(h);
    return j >= 0 ? base.cumhaz[0][j] : null;
  });
  const patients: PredictionResult['patients'] = [];
  rows.forEach((r, i) => {
    const lp = res.linearPredictor[i];
    if (!Number.isFinite(lp)) return;
    const risk = Math.exp(lp);
    patients.push({ patientId: r.patientId, recordId: r.recordId, linearPredictor: lp, survival: H0.map((h) => (h === null ? null : Math.exp(-h * risk))) });
  });
  return {
    horizons,
    omittedHorizons: horizons.filter((_, k) => H0[k] === null),
    baselineCumHaz: H0.map((h) => h ?? NaN),
    patients,
    nDropped: res.nDropped,
  };
}
