import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { audit } from '../../services/audit.ts';
import { agreementAnalysis, agreementOptionsSchema, validationAnalysis } from '../../services/analysis/agreement.ts';
import { coxAnalysis, coxOptionsSchema, predictionOptionsSchema, predictions } from '../../services/analysis/cox.ts';
import { loadDataset, memoResult } from '../../services/analysis/data.ts';
import { kmAnalysis, kmOptionsSchema } from '../../services/analysis/km.ts';
import { describeVariables } from '../../services/analysis/variables.ts';
import type { AnalysisDataset } from '../../services/dataset.ts';
import { createDemoCohort, demoOptionsSchema } from '../../services/demo.ts';
import { UserError } from '../../services/errors.ts';
import { authedProcedure, router } from '../trpc.ts';

const target = z.object({ cohortId: z.string().min(1).max(100), ageModelId: z.string().min(1).max(200).optional() });

export type ModelKind = 'faceage' | 'baseline' | 'synthetic' | null;

/** What every dashboard shows above its numbers: which cohort, which model, and the labels. */
export interface AnalysisMeta {
  cohortId: string;
  cohortName: string;
  studyName: string;
  isSynthetic: boolean;
  ageModelId: string | null;
  ageModelKind: ModelKind;
  /** "FaceAge", "baseline (not FaceAge)" or "synthetic (demo values, not FaceAge)" */
  modelLabel: string;
  n: number;
  cached: boolean;
}

export function modelLabel(kind: ModelKind): string {
  if (kind === 'faceage') return 'FaceAge';
  if (kind === 'baseline') return 'baseline (not FaceAge)';
  if (kind === 'synthetic') return 'synthetic (demo values, not FaceAge)';
  return 'no age model';
}

async function load(db: Db, input: z.infer<typeof target>, includeExcluded = false): Promise<{ data: AnalysisDataset & { version: string }; meta: AnalysisMeta }> {
  const cohort = await db.cohort.findUnique({ where: { id: input.cohortId }, select: { id: true, name: true, isSynthetic: true, study: { select: { name: true } } } });
  if (!cohort) throw new UserError('cohort not found', 'NOT_FOUND');
  const data = await loadDataset(db, input.cohortId, { ageModelId: input.ageModelId, includeExcluded });
  const kind = (data.rows.find((r) => r.ageModelKind)?.ageModelKind ?? null) as ModelKind;
  return {
    data,
    meta: {
      cohortId: cohort.id,
      cohortName: cohort.name,
      studyName: cohort.study.name,
      isSynthetic: data.isSynthetic || cohort.isSynthetic,
      ageModelId: data.ageModelId,
      ageModelKind: kind,
      modelLabel: modelLabel(kind),
      n: data.rows.length,
      cached: data.cached,
    },
  };
}

export const analysisRouter = router({
  /** Cohort, model labels, counts and the variables available for grouping and modelling. */
  overview: authedProcedure.input(target).query(async ({ ctx, input }) => {
    const { data, meta } = await load(ctx.db, input);
    const models = await ctx.db.faceAgeEstimate.groupBy({
      by: ['ageModelId'],
      where: { photo: { cohortId: input.cohortId }, value: { not: null } },
      _count: { _all: true },
    });
    const withSurvival = data.rows.filter((r) => r.survivalYears !== null && r.event !== null);
    return {
      meta,
      counts: {
        rows: data.rows.length,
        withSurvival: withSurvival.length,
        events: withSurvival.filter((r) => r.event === 1).length,
        withFaceAge: data.rows.filter((r) => r.faceAge !== null).length,
      },
      variables: describeVariables(data.rows),
      ageModels: models.map((m) => ({ id: m.ageModelId, estimates: m._count._all })),
    };
  }),

  km: authedProcedure.input(target.extend({ options: kmOptionsSchema.default(kmOptionsSchema.parse({})) })).query(async ({ ctx, input }) => {
    const { data, meta } = await load(ctx.db, input);
    return { meta, result: memoResult(data.version, 'km', input.options, () => kmAnalysis(data.rows, input.options)) };
  }),

  cox: authedProcedure.input(target.extend({ options: coxOptionsSchema })).query(async ({ ctx, input }) => {
    const { data, meta } = await load(ctx.db, input);
    return { meta, result: memoResult(data.version, 'cox', input.options, () => coxAnalysis(data.rows, input.options)) };
  }),

  /** Per-patient predicted survival (a download of patient-level data: audited). */
  predictions: authedProcedure.input(target.extend({ options: predictionOptionsSchema })).mutation(async ({ ctx, input }) => {
    const { data, meta } = await load(ctx.db, input);
    const result = predictions(data.rows, input.options);
    await audit(ctx.db, {
      userId: ctx.user.id,
      action: 'analysis.predictions.export',
      entityType: 'Cohort',
      entityId: input.cohortId,
      details: { patients: result.patients.length, horizons: result.horizons, terms: input.options.terms.map((t) => t.variable) },
    });
    return { meta, result };
  }),

  agreement: authedProcedure.input(target.extend({ options: agreementOptionsSchema.default(agreementOptionsSchema.parse({})) })).query(async ({ ctx, input }) => {
    const { data, meta } = await load(ctx.db, input);
    return { meta, result: memoResult(data.version, 'agreement', input.options, () => agreementAnalysis(data.rows, input.options)) };
  }),

  validation: authedProcedure.input(target).query(async ({ ctx, input }) => {
    const { data, meta } = await load(ctx.db, input, true);
    return { meta, result: memoResult(data.version, 'validation', null, () => validationAnalysis(data.rows)) };
  }),

  /** Admin: a synthetic demo cohort (labelled "Synthetic demo") from the documented generative model. */
  createDemo: authedProcedure.input(demoOptionsSchema).mutation(({ ctx, input }) => createDemoCohort(ctx.db, input, ctx.user.id)),
});
