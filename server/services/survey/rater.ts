/**
 * Rater entry. Everything a rater's session can reach goes through this module, and each
 * function returns an explicitly built object: only the opaque item id, a photo URL keyed by
 * that id, the vignette fields the part allows (part 2+), the model's 6-month survival
 * prediction (part 3) and the rater's own answers. Never a name, record id, date, outcome,
 * other covariates, patient/photo ids, hashes or other raters' answers.
 */
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { audit } from '../audit.ts';
import { chronologicalAge } from '../curation.ts';
import type { AnalysisRow } from '../dataset.ts';
import { UserError } from '../errors.ts';
import { vignetteFieldDefs } from './fields.ts';
import { mixSeed, seededShuffle } from '../random.ts';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

const NOT_FOUND = 'survey not found';

async function raterFor(db: Db | Tx, userId: string, surveyId: string) {
  const rater = await db.surveyRater.findUnique({
    where: { surveyId_userId: { surveyId, userId } },
    include: { survey: { select: { id: true, name: true, parts: true, vignetteFields: true, status: true, cohortId: true } } },
  });
  // Same answer for "no such survey" and "not invited": a rater cannot probe for surveys.
  if (!rater) throw new UserError(NOT_FOUND, 'NOT_FOUND');
  return rater;
}
type RaterRow = Awaited<ReturnType<typeof raterFor>>;

/** Age is asked in every part unless the part's vignette already shows the age. */
export function asksAge(part: number, vignetteFields: string[]): boolean {
  return part === 1 || !vignetteFields.includes('age');
}

/** The part a rater works on: the first offered part not yet submitted (else the last). */
export function currentPart(parts: number[], submitted: number[]): number {
  return parts.find((p) => !submitted.includes(p)) ?? parts[parts.length - 1];
}

/** A part is open once every earlier offered part is submitted (parts are done in order). */
function partOpen(rater: RaterRow, part: number): boolean {
  return rater.survey.parts.filter((p) => p < part).every((p) => rater.submittedParts.includes(p));
}

/** The rater's item order for a part: a seeded shuffle (seed = mix(rater order seed, part)). */
export function itemOrder<T extends { position: number }>(items: T[], orderSeed: number, part: number): T[] {
  return seededShuffle([...items].sort((a, b) => a.position - b.position), mixSeed(orderSeed, part));
}

interface AnswerLike {
  estimatedAge: number | null;
  survive6m: boolean | null;
  survivalProbability: number | null;
}
export function isComplete(a: AnswerLike | undefined, askAge: boolean): boolean {
  return !!a && a.survive6m !== null && a.survivalProbability !== null && (!askAge || a.estimatedAge !== null);
}

export async function mySurveys(db: Db, userId: string) {
  const raters = await db.surveyRater.findMany({
    where: { userId },
    orderBy: { invitedAt: 'desc' },
    include: { survey: { select: { id: true, name: true, parts: true, vignetteFields: true, status: true, _count: { select: { items: true } } } } },
  });
  const answers = await db.surveyAnswer.findMany({
    where: { raterId: { in: raters.map((r) => r.id) } },
    select: { raterId: true, part: true, estimatedAge: true, survive6m: true, survivalProbability: true },
  });
  return raters.map((r) => ({
    surveyId: r.survey.id,
    name: r.survey.name,
    open: r.survey.status === 'open',
    parts: r.survey.parts,
    submittedParts: r.submittedParts,
    currentPart: currentPart(r.survey.parts, r.submittedParts),
    total: r.survey._count.items,
    answered: r.survey.parts.map((part) => ({
      part,
      n: answers.filter((a) => a.raterId === r.id && a.part === part && isComplete(a, asksAge(part, r.survey.vignetteFields))).length,
    })),
  }));
}

export const viewSchema = z.object({
  surveyId: z.string().min(1),
  part: z.number().int().min(1).max(3).optional(),
  /** 0-based position in this rater's order; default: the first unanswered item */
  index: z.number().int().min(0).optional(),
});

/** Vignette values from the patient's own row (no dates leave this function). */
async function vignetteFor(db: Db, surveyFields: string[], cohortId: string, patientId: string, photoId: string) {
  const [patient, photo, custom] = await Promise.all([
    db.patient.findUnique({ where: { id: patientId } }),
    db.photo.findUnique({ where: { id: photoId }, select: { takenAt: true } }),
    db.covariateDefinition.findMany({ where: { cohortId }, select: { name: true, type: true } }),
  ]);
  if (!patient) return [];
  const row = {
    sex: patient.sex === 'M' || patient.sex === 'F' ? patient.sex : null,
    chronoAge: chronologicalAge(patient.dateOfBirth, photo?.takenAt ?? null),
    site: patient.site,
    diagnosis: patient.diagnosis,
    treatmentIntent: patient.treatmentIntent,
    ecog: patient.ecog,
    smoking: patient.smoking,
    bmi: patient.bmi,
    covariates: (patient.covariates ?? {}) as Record<string, string | number | null>,
  } as AnalysisRow;
  const defs = vignetteFieldDefs(custom);
  return surveyFields.flatMap((key) => {
    const d = defs.find((f) => f.key === key);
    if (!d) return [];
    const v = d.get(row);
    return [{ label: d.label, value: v === null || v === undefined ? 'not recorded' : String(v) }];
  });
}

export async function raterView(db: Db, userId: string, input: z.input<typeof viewSchema>) {
  const q = viewSchema.parse(input);
  const rater = await raterFor(db, userId, q.surveyId);
  const { survey } = rater;
  const part = q.part ?? currentPart(survey.parts, rater.submittedParts);
  if (!survey.parts.includes(part)) throw new UserError(`this survey has no part ${part}`);
  if (!partOpen(rater, part)) throw new UserError(`submit the earlier parts before part ${part}`, 'FORBIDDEN');
  const items = await db.surveyItem.findMany({
    where: { surveyId: survey.id },
    select: { id: true, position: true, patientId: true, photoId: true, modelSurvival6m: true },
  });
  if (items.length === 0) throw new UserError('this survey has no patients');
  const order = itemOrder(items, rater.orderSeed, part);
  const answers = await db.surveyAnswer.findMany({
    where: { raterId: rater.id, part },
    select: { itemId: true, estimatedAge: true, survive6m: true, survivalProbability: true },
  });
  const byItem = new Map(answers.map((a) => [a.itemId, a]));
  const askAge = asksAge(part, survey.vignetteFields);
  const done = order.map((it) => isComplete(byItem.get(it.id), askAge));
  let index = q.index ?? done.indexOf(false);
  if (index < 0) index = 0;
  if (index >= order.length) throw new UserError('no such item');
  const item = order[index];
  const a = byItem.get(item.id);
  const locked = rater.submittedParts.includes(part) || survey.status !== 'open';
  return {
    survey: { id: survey.id, name: survey.name, parts: survey.parts, submittedParts: rater.submittedParts },
    part,
    locked,
    askAge,
    index,
    total: order.length,
    answered: done.filter(Boolean).length,
    done,
    item: {
      id: item.id,
      photoUrl: `/api/survey/photo/${item.id}`,
      vignette: part >= 2 ? await vignetteFor(db, survey.vignetteFields, survey.cohortId, item.patientId, item.photoId) : null,
      model: part >= 3 && item.modelSurvival6m !== null ? { survival6m: Math.round(item.modelSurvival6m * 1000) / 10 } : null,
    },
    answer: a ? { estimatedAge: a.estimatedAge, survive6m: a.survive6m, survivalProbability: a.survivalProbability } : null,
  };
}

export const answerSchema = z.object({
  surveyId: z.string().min(1),
  itemId: z.string().min(1).max(64),
  part: z.number().int().min(1).max(3),
  estimatedAge: z.number().min(0, 'age must be 0–120').max(120, 'age must be 0–120').nullable().optional(),
  survive6m: z.boolean().nullable().optional(),
  survivalProbability: z.number().int('a whole percentage').min(0, 'probability must be 0–100').max(100, 'probability must be 0–100').nullable().optional(),
});

/** Locks the rater row so a save and a submit of the same rater never interleave. */
async function lockRater(tx: Tx, raterId: string) {
  await tx.$executeRaw`SELECT 1 FROM "SurveyRater" WHERE id = ${raterId} FOR UPDATE`;
}

/**
 * The rater's row, locked for this transaction and re-read under the lock, after the checks
 * every write shares: the survey is open and has this part.
 */
async function lockedRaterForPart(tx: Tx, userId: string, surveyId: string, part: number) {
  const r0 = await raterFor(tx, userId, surveyId);
  await lockRater(tx, r0.id);
  const rater = await raterFor(tx, userId, surveyId);
  if (rater.survey.status !== 'open') throw new UserError('this survey is closed', 'FORBIDDEN');
  if (!rater.survey.parts.includes(part)) throw new UserError(`this survey has no part ${part}`);
  return rater;
}

/** Autosave: partial answers are fine; a submitted part is read-only. */
export async function saveAnswer(db: Db, userId: string, input: z.input<typeof answerSchema>) {
  const data = answerSchema.parse(input);
  return db.$transaction(async (tx) => {
    const rater = await lockedRaterForPart(tx, userId, data.surveyId, data.part);
    if (!partOpen(rater, data.part)) throw new UserError(`submit the earlier parts before part ${data.part}`, 'FORBIDDEN');
    if (rater.submittedParts.includes(data.part)) throw new UserError(`part ${data.part} is submitted and locked`, 'FORBIDDEN');
    const item = await tx.surveyItem.findFirst({ where: { id: data.itemId, surveyId: rater.survey.id }, select: { id: true } });
    if (!item) throw new UserError('no such item in this survey', 'NOT_FOUND');
    const askAge = asksAge(data.part, rater.survey.vignetteFields);
    const fields = {
      ...(data.estimatedAge !== undefined && askAge ? { estimatedAge: data.estimatedAge } : {}),
      ...(data.survive6m !== undefined ? { survive6m: data.survive6m } : {}),
      ...(data.survivalProbability !== undefined ? { survivalProbability: data.survivalProbability } : {}),
    };
    const saved = await tx.surveyAnswer.upsert({
      where: { raterId_itemId_part: { raterId: rater.id, itemId: item.id, part: data.part } },
      create: { raterId: rater.id, itemId: item.id, part: data.part, ...fields },
      update: fields,
    });
    return {
      complete: isComplete(saved, askAge),
      savedAt: saved.updatedAt,
      answer: { estimatedAge: saved.estimatedAge, survive6m: saved.survive6m, survivalProbability: saved.survivalProbability },
    };
  });
}

export const submitSchema = z.object({ surveyId: z.string().min(1), part: z.number().int().min(1).max(3) });

/** Submits a part: every item must be answered; the answers are locked from then on. */
export async function submitPart(db: Db, userId: string, input: z.input<typeof submitSchema>) {
  const data = submitSchema.parse(input);
  return db.$transaction(async (tx) => {
    const rater = await lockedRaterForPart(tx, userId, data.surveyId, data.part);
    if (rater.submittedParts.includes(data.part)) throw new UserError(`part ${data.part} is already submitted`, 'CONFLICT');
    if (!partOpen(rater, data.part)) throw new UserError(`submit the earlier parts before part ${data.part}`, 'FORBIDDEN');
    const askAge = asksAge(data.part, rater.survey.vignetteFields);
    const [total, answers] = await Promise.all([
      tx.surveyItem.count({ where: { surveyId: rater.survey.id } }),
      tx.surveyAnswer.findMany({ where: { raterId: rater.id, part: data.part } }),
    ]);
    const complete = answers.filter((a) => isComplete(a, askAge)).length;
    if (complete < total) throw new UserError(`${total - complete} of ${total} patients still need an answer`);
    const now = new Date();
    await tx.surveyAnswer.updateMany({ where: { raterId: rater.id, part: data.part }, data: { submittedAt: now } });
    const submittedParts = [...rater.submittedParts, data.part].sort();
    await tx.surveyRater.update({ where: { id: rater.id }, data: { submittedParts } });
    await audit(tx, { userId, action: 'survey.submit_part', entityType: 'Survey', entityId: rater.survey.id, details: { part: data.part, answers: complete } });
    return { submittedParts, nextPart: rater.survey.parts.find((p) => !submittedParts.includes(p)) ?? null };
  });
}

/** For the photo route: the photo behind an item, only for a rater invited to its survey. */
export async function photoForRater(db: Db, userId: string, itemId: string) {
  const item = await db.surveyItem.findUnique({ where: { id: itemId }, select: { surveyId: true, photo: { select: { storageKey: true } } } });
  if (!item) return null;
  const invited = await db.surveyRater.findUnique({ where: { surveyId_userId: { surveyId: item.surveyId, userId } }, select: { id: true } });
  if (!invited) return null;
  return { storageKey: item.photo.storageKey };
}
