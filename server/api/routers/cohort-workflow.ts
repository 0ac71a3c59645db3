import { z } from 'zod';
import { getBoss } from '../../jobs.ts';
import { curationRulesSchema } from '../../services/curation.ts';
import { curationOverview, photoSummary, updateCurationRules } from '../../services/curation-settings.ts';
import { CORE_FIELDS, commitClinicalImport, commitSchema, mappingSchema, previewClinicalImport } from '../../services/imports.ts';
import { ageModels } from '../../services/model-info.ts';
import { importPhotoLog, photoLogSchema } from '../../services/photo-log.ts';
import { cullPhoto, cullSchema, passPhoto, qaList, restorePhoto } from '../../services/qa.ts';
import { cancelRun, getRun, listRuns, retryRun, runFailures, startRun } from '../../services/runs.ts';
import { authedProcedure, router } from '../trpc.ts';

const cohortInput = z.object({ cohortId: z.string().min(1) });

export const importsRouter = router({
  fields: authedProcedure.query(() => CORE_FIELDS.map((f) => ({ key: f.key, label: f.label, type: f.type }))),
  previewClinical: authedProcedure
    .input(z.object({ cohortId: z.string().min(1), csvText: z.string().min(1).max(50_000_000), mapping: mappingSchema.optional(), dateFormat: z.enum(['iso', 'mdy', 'dmy']).optional() }))
    .mutation(({ ctx, input }) => previewClinicalImport(ctx.db, input)),
  commitClinical: authedProcedure.input(commitSchema).mutation(({ ctx, input }) => commitClinicalImport(ctx.db, input, ctx.user.id)),
  photoLog: authedProcedure.input(photoLogSchema).mutation(({ ctx, input }) => importPhotoLog(ctx.db, input, ctx.user.id)),
});

export const photosRouter = router({
  list: authedProcedure.input(cohortInput).query(({ ctx, input }) => photoSummary(ctx.db, input.cohortId, ctx.user.id)),
});

export const curationRouter = router({
  get: authedProcedure.input(cohortInput.extend({ ageModelId: z.string().optional() })).query(({ ctx, input }) => curationOverview(ctx.db, input.cohortId, ctx.user.id, { ageModelId: input.ageModelId })),
  updateRules: authedProcedure
    .input(cohortInput.extend({ rules: curationRulesSchema.partial().nullable() }))
    .mutation(({ ctx, input }) => updateCurationRules(ctx.db, input.cohortId, input.rules, ctx.user.id)),
});

export const runsRouter = router({
  models: authedProcedure.query(() => ageModels()),
  start: authedProcedure
    .input(cohortInput.extend({ ageModelId: z.string().min(1).optional() }))
    .mutation(async ({ ctx, input }) => startRun(ctx.db, await getBoss(), input, ctx.user.id)),
  list: authedProcedure.input(cohortInput).query(({ ctx, input }) => listRuns(ctx.db, input.cohortId)),
  get: authedProcedure.input(z.object({ runId: z.string().min(1) })).query(({ ctx, input }) => getRun(ctx.db, input.runId)),
  failures: authedProcedure.input(z.object({ runId: z.string().min(1) })).query(({ ctx, input }) => runFailures(ctx.db, input.runId)),
  cancel: authedProcedure.input(z.object({ runId: z.string().min(1) })).mutation(({ ctx, input }) => cancelRun(ctx.db, input.runId, ctx.user.id)),
  retry: authedProcedure.input(z.object({ runId: z.string().min(1) })).mutation(async ({ ctx, input }) => retryRun(ctx.db, await getBoss(), input.runId, ctx.user.id)),
});

export const qaRouter = router({
  list: authedProcedure.input(cohortInput.extend({ ageModelId: z.string().optional() })).query(({ ctx, input }) => qaList(ctx.db, input.cohortId, ctx.user.id, input.ageModelId)),
  cull: authedProcedure.input(cullSchema).mutation(({ ctx, input }) => cullPhoto(ctx.db, input, ctx.user.id)),
  restore: authedProcedure.input(z.object({ photoId: z.string().min(1) })).mutation(({ ctx, input }) => restorePhoto(ctx.db, input.photoId, ctx.user.id)),
  pass: authedProcedure.input(z.object({ photoId: z.string().min(1) })).mutation(({ ctx, input }) => passPhoto(ctx.db, input.photoId, ctx.user.id)),
});
