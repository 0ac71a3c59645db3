/**
 * Survey setup (coordinator): options for a cohort, creation (seeded sample, part-3 model),
 * rater invitations (profession, recorded order seed), overview with progress.
 */
import { z } from 'zod';
import type { Prisma } from '~/generated/prisma/client.ts';
import type { Db } from '../../db/client.ts';
import { audit } from '../audit.ts';
import { analysisDataset, type AnalysisRow } from '../dataset.ts';
import { UserError } from '../errors.ts';
import { modelTermDefs, STRATA, vignetteFieldDefs } from './fields.ts';
import { fitSurvivalModel } from './model.ts';
import { freshSeed, mixSeed, opaqueId } from '../random.ts';
import { sampleRows } from './sampling.ts';

export const PROFESSIONS = ['oncologist', 'radiation oncologist', 'nurse', 'other'] as const;

export const newSurveySchema = z
  .object({
    cohortId: z.string().min(1),
    name: z.string().trim().min(1, 'name is required').max(200),
    parts: z.array(z.number().int().min(1).max(3)).min(1, 'choose at least one part'),
    vignetteFields: z.array(z.string().min(1).max(120)).max(30).default([]),
    trainingCohortId: z.string().min(1).nullable().optional(),
    modelCovariates: z.array(z.string().min(1).max(120)).max(10).default([]),
    sampling: z.enum(['random', 'stratified']).default('random'),
    stratifyBy: z.string().min(1).max(120).nullable().optional(),
    size: z.number().int().min(2, 'sample at least 2 patients').max(2000),
    seed: z.number().int().min(1).max(2 ** 31 - 1).optional(),
  })
  .transform((v) => ({ ...v, parts: [...new Set(v.parts)].sort() }));
export type NewSurvey = z.input<typeof newSurveySchema>;

/** Rows a survey can use: curated, with a photo and an observed survival time. */
export function eligibleRows(rows: AnalysisRow[]): AnalysisRow[] {
  return rows.filter((r) => r.included && r.photoId !== null && r.survivalYears !== null && r.event !== null);
}

async function customCovariates(db: Db, cohortId: string) {
  return db.covariateDefinition.findMany({ where: { cohortId }, select: { name: true, type: true }, orderBy: { name: 'asc' } });
}

export async function surveyOptions(db: Db, cohortId: string) {
  const cohort = await db.cohort.findUnique({ where: { id: cohortId }, select: { id: true, name: true, isSynthetic: true } });
  if (!cohort) throw new UserError('cohort not found', 'NOT_FOUND');
  const [data, custom, cohorts, raters] = await Promise.all([
    analysisDataset(db, cohortId),
    customCovariates(db, cohortId),
    db.cohort.findMany({ select: { id: true, name: true, isSynthetic: true, study: { select: { name: true } } }, orderBy: { createdAt: 'asc' } }),
    db.user.findMany({ where: { role: 'rater', active: true }, select: { id: true, name: true, email: true, profession: true }, orderBy: { name: 'asc' } }),
  ]);
  return {
    cohort,
    eligible: eligibleRows(data.rows).length,
    ageModelId: data.ageModelId,
    isSynthetic: data.isSynthetic,
    vignetteFields: vignetteFieldDefs(custom).map(({ key, label }) => ({ key, label })),
    modelCovariates: modelTermDefs(custom).map(({ key, label }) => ({ key, label })),
    strata: STRATA.map(({ key, label }) => ({ key, label })),
    trainingCohorts: cohorts.map((c) => ({ id: c.id, name: `${c.study.name} / ${c.name}`, isSynthetic: c.isSynthetic })),
    raters,
    professions: PROFESSIONS,
  };
}

export async function createSurvey(db: Db, input: NewSurvey, userId: string) {
  const data = newSurveySchema.parse(input);
  const cohort = await db.cohort.findUnique({ where: { id: data.cohortId } });
  if (!cohort) throw new UserError('cohort not found', 'NOT_FOUND');
  const custom = await customCovariates(db, data.cohortId);
  const vDefs = vignetteFieldDefs(custom);
  for (const f of data.vignetteFields) if (!vDefs.some((d) => d.key === f)) throw new UserError(`"${f}" cannot be shown in a vignette`);
  if (data.parts.some((p) => p >= 2) && data.vignetteFields.length === 0) throw new UserError('parts 2 and 3 need at least one vignette field');
  if (data.sampling === 'stratified' && !STRATA.some((s) => s.key === data.stratifyBy)) throw new UserError('choose a stratification variable');

  const dataset = await analysisDataset(db, data.cohortId);
  let eligible = eligibleRows(dataset.rows);

  let model: ReturnType<typeof fitSurvivalModel> | null = null;
  if (data.parts.includes(3)) {
    if (!data.trainingCohortId) throw new UserError('part 3 needs a training cohort for the FaceAge risk model');
    const trainingCustom = await customCovariates(db, data.trainingCohortId);
    const mDefs = modelTermDefs(trainingCustom);
    const terms = data.modelCovariates.map((k) => {
      const d = mDefs.find((m) => m.key === k);
      if (!d) throw new UserError(`"${k}" cannot be a model covariate`);
      return d;
    });
    const training = await analysisDataset(db, data.trainingCohortId);
    model = fitSurvivalModel(training.rows, terms, { trainingCohortId: data.trainingCohortId, ageModelId: training.ageModelId });
    // Only patients the model can score take part in a survey with part 3.
    const pred = model.predict(eligible);
    eligible = eligible.filter((_, i) => pred[i] !== null);
  }
  if (eligible.length < 2) throw new UserError(`the cohort has ${eligible.length} eligible patients (curated, with photo and follow-up); need at least 2`);

  const seed = data.seed ?? freshSeed();
  const stratum = STRATA.find((s) => s.key === data.stratifyBy);
  const sample = sampleRows(eligible, { method: data.sampling, size: data.size, seed, stratum: stratum ? (r) => stratum.get(r) : undefined });
  const predictions = model ? model.predict(sample.map((s) => s.row)) : sample.map(() => null);

  const survey = await db.$transaction(async (tx) => {
    const created = await tx.survey.create({
      data: {
        cohortId: data.cohortId,
        name: data.name,
        parts: data.parts,
        vignetteFields: data.vignetteFields,
        trainingCohortId: data.parts.includes(3) ? data.trainingCohortId : null,
        modelCovariates: data.parts.includes(3) ? data.modelCovariates : [],
        modelInfo: model ? (model.info as unknown as Prisma.InputJsonValue) : undefined,
        sampling: data.sampling,
        stratifyBy: data.sampling === 'stratified' ? data.stratifyBy : null,
        sampleSize: sample.length,
        seed,
        ageModelId: dataset.ageModelId,
        createdById: userId,
      },
    });
    await tx.surveyItem.createMany({
      data: sample.map((s, position) => ({
        id: opaqueId(),
        surveyId: created.id,
        patientId: s.row.patientId,
        photoId: s.row.photoId!,
        position,
        stratum: s.stratum,
        modelSurvival6m: predictions[position],
      })),
    });
    await audit(tx, {
      userId,
      action: 'survey.create',
      entityType: 'Survey',
      entityId: created.id,
      details: { cohortId: data.cohortId, parts: data.parts, size: sample.length, seed, sampling: data.sampling },
    });
    return created;
  });
  return { id: survey.id, seed, sampleSize: sample.length, eligible: eligible.length, modelInfo: model?.info ?? null };
}

export const inviteSchema = z.object({
  surveyId: z.string().min(1),
  userId: z.string().min(1),
  profession: z.string().trim().min(1, 'profession is required').max(100),
});

export async function inviteRater(db: Db, input: z.input<typeof inviteSchema>, actorId: string) {
  const data = inviteSchema.parse(input);
  return db.$transaction(async (tx) => {
    const survey = await tx.survey.findUnique({ where: { id: data.surveyId }, select: { id: true, seed: true, _count: { select: { raters: true } } } });
    if (!survey) throw new UserError('survey not found', 'NOT_FOUND');
    const user = await tx.user.findUnique({ where: { id: data.userId } });
    if (!user || !user.active) throw new UserError('user not found', 'NOT_FOUND');
    if (user.role !== 'rater') throw new UserError('only rater accounts can be invited to a survey');
    if (await tx.surveyRater.findUnique({ where: { surveyId_userId: { surveyId: data.surveyId, userId: data.userId } } }))
      throw new UserError('this rater is already invited', 'CONFLICT');
    // Reproducible: the n-th invited rater's order seed derives from the survey seed.
    const orderSeed = mixSeed(survey.seed, survey._count.raters + 1);
    const rater = await tx.surveyRater.create({ data: { surveyId: data.surveyId, userId: data.userId, profession: data.profession, orderSeed, submittedParts: [] } });
    await audit(tx, { userId: actorId, action: 'survey.invite', entityType: 'Survey', entityId: data.surveyId, details: { raterUserId: data.userId, profession: data.profession } });
    return { id: rater.id, orderSeed };
  });
}

export async function listSurveys(db: Db, cohortId?: string) {
  const surveys = await db.survey.findMany({
    where: cohortId ? { cohortId } : {},
    orderBy: { createdAt: 'desc' },
    select: {
      id: true,
      name: true,
      parts: true,
      sampleSize: true,
      status: true,
      createdAt: true,
      cohort: { select: { id: true, name: true, isSynthetic: true } },
      _count: { select: { raters: true } },
    },
  });
  return surveys;
}

export async function getSurvey(db: Db, id: string) {
  const survey = await db.survey.findUnique({
    where: { id },
    include: {
      cohort: { select: { id: true, name: true, isSynthetic: true } },
      raters: { orderBy: { invitedAt: 'asc' }, include: { user: { select: { id: true, name: true, email: true } } } },
    },
  });
  if (!survey) throw new UserError('survey not found', 'NOT_FOUND');
  const counts = await db.surveyAnswer.groupBy({
    by: ['raterId', 'part'],
    where: { rater: { surveyId: id }, survivalProbability: { not: null }, survive6m: { not: null } },
    _count: { _all: true },
  });
  const strata = await db.surveyItem.groupBy({ by: ['stratum'], where: { surveyId: id }, _count: { _all: true } });
  return {
    id: survey.id,
    name: survey.name,
    cohort: survey.cohort,
    parts: survey.parts,
    vignetteFields: survey.vignetteFields,
    trainingCohortId: survey.trainingCohortId,
    modelCovariates: survey.modelCovariates,
    modelInfo: survey.modelInfo,
    sampling: survey.sampling,
    stratifyBy: survey.stratifyBy,
    sampleSize: survey.sampleSize,
    seed: survey.seed,
    ageModelId: survey.ageModelId,
    status: survey.status,
    createdAt: survey.createdAt,
    strata: strata.map((s) => ({ stratum: s.stratum, n: s._count._all })),
    raters: survey.raters.map((r, i) => ({
      id: r.id,
      code: `R${i + 1}`,
      user: r.user,
      profession: r.profession,
      orderSeed: r.orderSeed,
      submittedParts: r.submittedParts,
      progress: survey.parts.map((part) => ({ part, answered: counts.find((c) => c.raterId === r.id && c.part === part)?._count._all ?? 0 })),
    })),
  };
}

export const statusSchema = z.object({ id: z.string().min(1), status: z.enum(['open', 'closed']) });

/** Closing a survey stops all rater saves and submissions (answers stay readable); reopening allows them again. */
export async function setSurveyStatus(db: Db, input: z.input<typeof statusSchema>, actorId: string) {
  const data = statusSchema.parse(input);
  return db.$transaction(async (tx) => {
    const found = await tx.survey.findUnique({ where: { id: data.id }, select: { id: true } });
    if (!found) throw new UserError('survey not found', 'NOT_FOUND');
    await tx.survey.update({ where: { id: data.id }, data: { status: data.status } });
    await audit(tx, { userId: actorId, action: `survey.${data.status === 'open' ? 'reopen' : 'close'}`, entityType: 'Survey', entityId: data.id });
    return { id: data.id, status: data.status };
  });
}
