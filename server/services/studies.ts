import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { audit } from './audit.ts';
import { UserError } from './errors.ts';

export const newStudySchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(200),
  description: z.string().trim().max(2000).default(''),
});
export const newCohortSchema = z.object({
  studyId: z.string().min(1),
  name: z.string().trim().min(1, 'name is required').max(200),
  description: z.string().trim().max(2000).default(''),
});

export function listStudies(db: Db) {
  return db.study.findMany({
    orderBy: { createdAt: 'asc' },
    include: { cohorts: { orderBy: { createdAt: 'asc' }, select: { id: true, name: true, isSynthetic: true, _count: { select: { patients: true, photos: true } } } } },
  });
}

export async function createStudy(db: Db, input: z.input<typeof newStudySchema>, userId: string) {
  const data = newStudySchema.parse(input);
  return db.$transaction(async (tx) => {
    if (await tx.study.findUnique({ where: { name: data.name } })) throw new UserError(`a study named "${data.name}" already exists`, 'CONFLICT');
    const study = await tx.study.create({ data: { ...data, createdById: userId } });
    await audit(tx, { userId, action: 'study.create', entityType: 'Study', entityId: study.id });
    return study;
  });
}

export async function createCohort(db: Db, input: z.input<typeof newCohortSchema>, userId: string) {
  const data = newCohortSchema.parse(input);
  return db.$transaction(async (tx) => {
    if (!(await tx.study.findUnique({ where: { id: data.studyId } }))) throw new UserError('study not found', 'NOT_FOUND');
    if (await tx.cohort.findUnique({ where: { studyId_name: { studyId: data.studyId, name: data.name } } }))
      throw new UserError(`this study already has a cohort named "${data.name}"`, 'CONFLICT');
    const cohort = await tx.cohort.create({ data });
    await audit(tx, { userId, action: 'cohort.create', entityType: 'Cohort', entityId: cohort.id, details: { studyId: data.studyId } });
    return cohort;
  });
}

export async function getCohort(db: Db, id: string) {
  const cohort = await db.cohort.findUnique({
    where: { id },
    include: { study: { select: { id: true, name: true } }, _count: { select: { patients: true, photos: true } } },
  });
  if (!cohort) throw new UserError('cohort not found', 'NOT_FOUND');
  return cohort;
}
