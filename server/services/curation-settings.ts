/** Per-cohort curation rules (stored in Cohort.curationRules) and the curation overview page's data. */
import type { Prisma } from '~/generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { audit } from './audit.ts';
import { consortFlow, curationRulesSchema, DEFAULT_RULES, STEPS, type CurationRules } from './curation.ts';
import { curateCohort } from './dataset.ts';
import { UserError } from './errors.ts';

/** The curation page's data: per-patient ages, survival and reasons, so the view is audited (counts only). */
export async function curationOverview(db: Db, cohortId: string, userId: string, opts: { ageModelId?: string } = {}) {
  const curated = await curateCohort(db, cohortId, opts);
  await audit(db, { userId, action: 'curation.view', entityType: 'Cohort', entityId: cohortId, details: { patients: curated.rows.length, included: curated.rows.filter((r) => r.included).length } });
  return {
    rules: curated.rules,
    defaults: DEFAULT_RULES,
    steps: STEPS,
    ageModelId: curated.ageModelId,
    isSynthetic: curated.isSynthetic,
    flow: consortFlow(curated.rows.map((r) => ({ patientId: r.patientId, included: r.included, excludedAt: r.excludedAt, reasons: r.reasons, photoId: r.photoId, chronoAge: r.chronoAge, survivalYears: r.survivalYears, event: r.event }))),
    patients: curated.rows.map((r) => ({
      patientId: r.patientId, recordId: r.recordId, included: r.included, excludedAt: r.excludedAt, reasons: r.reasons,
      photoDate: r.photoDate, chronoAge: r.chronoAge, faceAge: r.faceAge, survivalYears: r.survivalYears, event: r.event, qaStatus: r.qaStatus,
    })),
  };
}

export async function updateCurationRules(db: Db, cohortId: string, input: Partial<CurationRules> | null, userId: string) {
  const rules = input === null ? DEFAULT_RULES : curationRulesSchema.parse(input);
  return db.$transaction(async (tx) => {
    const cohort = await tx.cohort.findUnique({ where: { id: cohortId }, select: { curationRules: true } });
    if (!cohort) throw new UserError('cohort not found', 'NOT_FOUND');
    const before = curationRulesSchema.safeParse(cohort.curationRules ?? {});
    const prior = before.success ? before.data : DEFAULT_RULES;
    const changed = (Object.keys(rules) as (keyof CurationRules)[]).filter((k) => JSON.stringify(prior[k]) !== JSON.stringify(rules[k]));
    await tx.cohort.update({ where: { id: cohortId }, data: { curationRules: rules as unknown as Prisma.InputJsonValue } });
    // Rule values are study settings, not clinical data: safe to audit.
    await audit(tx, { userId, action: 'curation.rules_update', entityType: 'Cohort', entityId: cohortId, details: { changed, rules: rules as unknown as Prisma.InputJsonValue } });
    return rules;
  });
}

/** The photo list (file names, record ids, photo dates): audited like other patient-level views. */
export async function photoSummary(db: Db, cohortId: string, userId: string) {
  const photos = await db.photo.findMany({
    where: { cohortId },
    select: { id: true, sourceFileName: true, takenAt: true, takenAtSource: true, qaStatus: true, width: true, height: true, bytes: true, createdAt: true, patient: { select: { recordId: true } } },
    orderBy: { createdAt: 'asc' },
  });
  await audit(db, { userId, action: 'photos.view', entityType: 'Cohort', entityId: cohortId, details: { photos: photos.length } });
  return {
    total: photos.length,
    matched: photos.filter((p) => p.patient).length,
    dated: photos.filter((p) => p.takenAt).length,
    logEntries: await db.photoLogEntry.count({ where: { cohortId } }),
    photos: photos.map((p) => ({
      id: p.id, fileName: p.sourceFileName, recordId: p.patient?.recordId ?? null, photoDate: p.takenAt?.toISOString().slice(0, 10) ?? null,
      dateSource: p.takenAtSource, qaStatus: p.qaStatus, width: p.width, height: p.height, bytes: p.bytes,
    })),
  };
}
