/**
 * Matching a photo to its patient and date: through the photo log (by sha256, file name, or file
 * name without extension), else the file-name rule (record id = the part of the file name before
 * the first "_", "-", space or "."); the date comes from the log, else from EXIF.
 */
import path from 'node:path';
import type { Db } from '../db/client.ts';

type Tx = Pick<Db, 'photo' | 'photoLogEntry' | 'patient'>;

export interface MatchInput {
  sha256: string;
  fileName: string;
}

export function fileNameRecordId(fileName: string): string | null {
  const base = path.posix.basename(fileName.replace(/\\/g, '/'));
  const m = /^([^_\-\s.]+)/.exec(base);
  return m ? m[1] : null;
}

export function logRefsFor(input: MatchInput): string[] {
  const base = path.posix.basename(input.fileName.replace(/\\/g, '/'));
  const stem = base.replace(/\.[^.]+$/, '');
  return [...new Set([input.sha256, base, stem])];
}

/** Patient id and date for one photo; null patient when nothing matches. */
export async function matchOne(tx: Tx, cohortId: string, input: MatchInput, exifDate: Date | null) {
  const log = await tx.photoLogEntry.findFirst({ where: { cohortId, photoRef: { in: logRefsFor(input) } } });
  const recordId = log?.recordId ?? fileNameRecordId(input.fileName);
  const patient = recordId ? await tx.patient.findUnique({ where: { cohortId_recordId: { cohortId, recordId } }, select: { id: true } }) : null;
  const takenAt = log?.photoDate ?? exifDate;
  return {
    patientId: patient?.id ?? null,
    matchedBy: log ? 'log' : patient ? 'file name' : null,
    takenAt,
    takenAtSource: log?.photoDate ? 'log' : exifDate ? 'exif' : null,
  };
}

/** Re-applies the log (and the file-name rule) to the cohort's photos; returns how many changed. */
export async function matchPhotos(tx: Tx, cohortId: string): Promise<number> {
  const photos = await tx.photo.findMany({ where: { cohortId }, select: { id: true, sha256: true, sourceFileName: true, patientId: true, takenAt: true, takenAtSource: true } });
  let changed = 0;
  for (const ph of photos) {
    const exif = ph.takenAtSource === 'exif' ? ph.takenAt : null;
    const m = await matchOne(tx, cohortId, { sha256: ph.sha256, fileName: ph.sourceFileName }, exif);
    const patientId = m.patientId ?? ph.patientId;
    if (patientId !== ph.patientId || (m.takenAt?.getTime() ?? null) !== (ph.takenAt?.getTime() ?? null) || (m.takenAtSource ?? null) !== ph.takenAtSource) {
      await tx.photo.update({ where: { id: ph.id }, data: { patientId, takenAt: m.takenAt, takenAtSource: m.takenAtSource } });
      changed++;
    }
  }
  return changed;
}
