/**
 * Photo QA: a reviewer steps through the cohort's photos (face crop with the detected box, FaceAge
 * and chronological age) and culls unusable ones with a reason, or restores them. Culled photos
 * leave the analysis (curation rule "QA not culled"). Every action is audited.
 */
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { audit } from './audit.ts';
import { chronologicalAge } from './curation.ts';
import { defaultAgeModelFor } from './dataset.ts';
import { isoDate } from './dates.ts';
import { UserError } from './errors.ts';
import { ageModelKind, DEFAULT_DETECTOR_ID } from './model-info.ts';

export const CULL_REASONS = {
  low_quality: 'Low quality',
  occluded: 'Occluded',
  not_patient: 'Not the patient',
  multiple_faces: 'Multiple faces',
  other: 'Other',
} as const;
export const cullSchema = z.object({
  photoId: z.string().min(1),
  reason: z.enum(Object.keys(CULL_REASONS) as [keyof typeof CULL_REASONS, ...(keyof typeof CULL_REASONS)[]]),
});

export async function qaList(db: Db, cohortId: string, userId: string, ageModelId?: string) {
  const cohort = await db.cohort.findUnique({ where: { id: cohortId }, select: { id: true } });
  if (!cohort) throw new UserError('cohort not found', 'NOT_FOUND');
  const model = ageModelId ?? (await defaultAgeModelFor(db, cohortId));
  const photos = await db.photo.findMany({
    where: { cohortId },
    select: {
      id: true, sourceFileName: true, takenAt: true, qaStatus: true, qaReason: true, width: true, height: true, storageKey: true,
      patient: { select: { recordId: true, dateOfBirth: true } },
      estimates: { where: { ageModelId: model ?? '' }, select: { detectorId: true, ageModelId: true, value: true, error: true, faceCount: true, confidence: true, boxX: true, boxY: true, boxW: true, boxH: true } },
    },
  });
  // Cohort order: by record id, then photo date, then file name; unmatched photos last.
  photos.sort(
    (a, b) =>
      (a.patient ? 0 : 1) - (b.patient ? 0 : 1) ||
      (a.patient?.recordId ?? '').localeCompare(b.patient?.recordId ?? '', undefined, { numeric: true }) ||
      (a.takenAt?.getTime() ?? 0) - (b.takenAt?.getTime() ?? 0) ||
      a.sourceFileName.localeCompare(b.sourceFileName),
  );
  await audit(db, { userId, action: 'qa.view', entityType: 'Cohort', entityId: cohortId, details: { photos: photos.length } });
  return {
    ageModelId: model,
    ageModelKind: model ? await ageModelKind(db, model) : null,
    reasons: CULL_REASONS,
    photos: photos.map((p) => {
      const e = p.estimates.find((x) => x.detectorId === DEFAULT_DETECTOR_ID) ?? p.estimates[0] ?? null;
      return {
        id: p.id,
        fileName: p.sourceFileName,
        recordId: p.patient?.recordId ?? null,
        photoDate: isoDate(p.takenAt),
        qaStatus: p.qaStatus,
        qaReason: p.qaReason,
        width: p.width,
        height: p.height,
        synthetic: p.storageKey.startsWith('synthetic:'),
        chronoAge: chronologicalAge(p.patient?.dateOfBirth ?? null, p.takenAt),
        faceAge: e?.value ?? null,
        faceCount: e?.faceCount ?? null,
        confidence: e?.confidence ?? null,
        error: e?.error ?? null,
        box: e && e.boxX !== null && e.boxY !== null && e.boxW !== null && e.boxH !== null ? { x: e.boxX, y: e.boxY, w: e.boxW, h: e.boxH } : null,
      };
    }),
  };
}

async function setQa(db: Db, photoId: string, userId: string, status: 'culled' | 'pending' | 'passed', reason: string | null, action: string) {
  return db.$transaction(async (tx) => {
    const photo = await tx.photo.findUnique({ where: { id: photoId }, select: { id: true, cohortId: true, qaStatus: true } });
    if (!photo) throw new UserError('photo not found', 'NOT_FOUND');
    const updated = await tx.photo.update({ where: { id: photoId }, data: { qaStatus: status, qaReason: reason, qaById: userId, qaAt: new Date() }, select: { id: true, qaStatus: true, qaReason: true } });
    await audit(tx, { userId, action, entityType: 'Photo', entityId: photoId, details: { cohortId: photo.cohortId, from: photo.qaStatus, to: status, ...(reason ? { reason } : {}) } });
    return updated;
  });
}

export const cullPhoto = (db: Db, input: z.infer<typeof cullSchema>, userId: string) => setQa(db, input.photoId, userId, 'culled', input.reason, 'photo.cull');
export const restorePhoto = (db: Db, photoId: string, userId: string) => setQa(db, photoId, userId, 'pending', null, 'photo.restore');
export const passPhoto = (db: Db, photoId: string, userId: string) => setQa(db, photoId, userId, 'passed', null, 'photo.pass');
