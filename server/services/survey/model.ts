/**
 * Part-3 risk model: a Cox PH model (stats/ coxPH, Efron ties) of overall survival on FaceAge
 * plus the coordinator's covariates, fitted on the curated rows of a training cohort; each
 * survey patient's predicted probability of surviving 6 months is `predictSurvival` at 0.5 years
 * (R: summary(survfit(fit, newdata), times = 0.5)).
 */
import { coxPH, predictSurvival } from '~/stats/index.ts';
import type { AnalysisRow } from '../dataset.ts';
import { UserError } from '../errors.ts';
import { HORIZON_YEARS, type FieldDef } from './fields.ts';

export interface SurvivalModelInfo {
  trainingCohortId: string;
  ageModelId: string | null;
  terms: string[];
  coef: number[];
  se: number[];
  hazardRatio: number[];
  pValue: number[];
  n: number;
  nEvent: number;
  concordance: number;
  horizonYears: number;
  converged: boolean;
}

export interface FittedModel {
  info: SurvivalModelInfo;
  /** probability of surviving HORIZON_YEARS for each row (null when a term is missing) */
  predict(rows: AnalysisRow[]): (number | null)[];
}

function column(rows: AnalysisRow[], def: FieldDef): (number | null)[] {
  return rows.map((r) => {
    const v = def.get(r);
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  });
}

export function fitSurvivalModel(training: AnalysisRow[], terms: FieldDef[], meta: { trainingCohortId: string; ageModelId: string | null }): FittedModel {
  const faceAgeDef: FieldDef = { key: 'faceAge', label: 'FaceAge', get: (r) => r.faceAge };
  const defs = [faceAgeDef, ...terms];
  const usable = training.filter(
    (r) => r.survivalYears !== null && r.survivalYears > 0 && r.event !== null && defs.every((d) => typeof d.get(r) === 'number' && Number.isFinite(d.get(r) as number)),
  );
  const events = usable.filter((r) => r.event === 1).length;
  if (usable.length < 10 || events < 5) {
    throw new UserError(`the training cohort has too few usable rows for the part-3 model (${usable.length} rows, ${events} deaths; need ≥ 10 and ≥ 5)`);
  }
  const covariates: Record<string, (number | null)[]> = {};
  for (const d of defs) covariates[d.key] = column(usable, d);
  const fit = coxPH({ time: usable.map((r) => r.survivalYears!), event: usable.map((r) => r.event!), covariates, ties: 'efron' });
  if (!fit.converged || fit.coef.some((c) => !Number.isFinite(c))) throw new UserError('the part-3 Cox model did not converge; choose fewer covariates');
  const info: SurvivalModelInfo = {
    trainingCohortId: meta.trainingCohortId,
    ageModelId: meta.ageModelId,
    terms: fit.terms,
    coef: fit.coef,
    se: fit.se,
    hazardRatio: fit.hazardRatio,
    pValue: fit.pValue,
    n: fit.n,
    nEvent: fit.nEvent,
    concordance: fit.concordance,
    horizonYears: HORIZON_YEARS,
    converged: fit.converged,
  };
  return {
    info,
    predict(rows) {
      const out: (number | null)[] = rows.map(() => null);
      const idx = rows.map((r, i) => (defs.every((d) => typeof d.get(r) === 'number' && Number.isFinite(d.get(r) as number)) ? i : -1)).filter((i) => i >= 0);
      if (idx.length === 0) return out;
      const cov: Record<string, number[]> = {};
      for (const d of defs) cov[d.key] = idx.map((i) => d.get(rows[i]) as number);
      const pred = predictSurvival(fit, cov, [HORIZON_YEARS]);
      if (pred.times.length === 0) throw new UserError('the training cohort has no follow-up beyond 6 months; cannot predict 6-month survival');
      idx.forEach((i, k) => (out[i] = pred.survival[k][0]));
      return out;
    },
  };
}
