/**
 * Photo log import: which photo (id, file name or sha256) belongs to which record id, and when
 * it was taken. Entries are upserted by photo reference; photos already uploaded are re-matched.
 */
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { audit } from './audit.ts';
import { parseCsv } from './csv.ts';
import { detectDateFormat, parseDate, type DateFormat } from './dates.ts';
import { UserError } from './errors.ts';
import type { ImportProblem } from './imports.ts';
import { matchPhotos } from './photo-match.ts';

const REF_ALIASES = ['photo_id', 'photoid', 'photo', 'file', 'filename', 'file_name', 'image', 'image_id', 'sha256', 'hash', 'photo_hash', 'photo_ref'];
const RECORD_ALIASES = ['record_id', 'recordid', 'pmrn', 'mrn', 'patient_id', 'subj_id', 'subject_id', 'record'];
const DATE_ALIASES = ['photo_date', 'date', 'taken', 'taken_at', 'date_taken', 'photo_dt', 'image_date'];

export const photoLogSchema = z.object({
  cohortId: z.string().min(1),
  csvText: z.string().min(1).max(50_000_000),
  columns: z.object({ photoRef: z.string().min(1), recordId: z.string().min(1), photoDate: z.string().nullable() }).optional(),
  dateFormat: z.enum(['iso', 'mdy', 'dmy']).optional(),
  mode: z.enum(['preview', 'all', 'valid']).default('preview'),
});

const norm = (s: string) => s.trim().toLowerCase().replace(/[\s\-.]+/g, '_');

export async function importPhotoLog(db: Db, input: z.input<typeof photoLogSchema>, userId: string | null) {
  const data = photoLogSchema.parse(input);
  const csv = parseCsv(data.csvText);
  const find = (aliases: string[]) => csv.headers.find((h) => aliases.includes(norm(h))) ?? null;
  const columns = data.columns ?? { photoRef: find(REF_ALIASES) ?? '', recordId: find(RECORD_ALIASES) ?? '', photoDate: find(DATE_ALIASES) };
  for (const c of [columns.photoRef, columns.recordId, columns.photoDate]) {
    if (c !== null && !csv.headers.includes(c)) throw new UserError(c ? `column "${c}" is not in the file` : 'choose the photo and record id columns');
  }
  const detection = detectDateFormat(columns.photoDate ? csv.rows.map((r) => r.values[columns.photoDate!] ?? '') : []);
  const dateFormat: DateFormat = data.dateFormat ?? detection.format;
  const records = new Set((await db.patient.findMany({ where: { cohortId: data.cohortId }, select: { recordId: true } })).map((p) => p.recordId));
  const problems: ImportProblem[] = [];
  const entries: { line: number; photoRef: string; recordId: string; photoDate: Date | null }[] = [];
  const seen = new Map<string, number>();
  for (const row of csv.rows) {
    const photoRef = row.values[columns.photoRef] ?? '';
    const recordId = row.values[columns.recordId] ?? '';
    let ok = true;
    if (!photoRef) (problems.push({ line: row.line, column: columns.photoRef, kind: 'missing_required', message: 'photo reference is empty' }), (ok = false));
    else if (seen.has(photoRef)) (problems.push({ line: row.line, column: columns.photoRef, kind: 'duplicate_record_id', message: `photo also listed on line ${seen.get(photoRef)}` }), (ok = false));
    else seen.set(photoRef, row.line);
    if (!recordId) (problems.push({ line: row.line, column: columns.recordId, kind: 'missing_required', message: 'record id is empty' }), (ok = false));
    else if (!records.has(recordId)) (problems.push({ line: row.line, column: columns.recordId, kind: 'unknown_category', message: 'no patient with this record id in the cohort (import the clinical data first)' }), (ok = false));
    let photoDate: Date | null = null;
    if (columns.photoDate) {
      const parsed = parseDate(row.values[columns.photoDate], dateFormat);
      if (!parsed.ok) (problems.push({ line: row.line, column: columns.photoDate, kind: 'unparseable_date', message: `"${row.values[columns.photoDate]}" is not a date in the chosen format` }), (ok = false));
      else photoDate = parsed.date;
    }
    if (ok) entries.push({ line: row.line, photoRef, recordId, photoDate });
  }
  const summary = { headers: csv.headers, columns, dateFormat, dateDetection: detection, rowCount: csv.rows.length, validCount: entries.length, problems };
  if (data.mode === 'preview') return { ...summary, committed: false, matched: 0 };
  if (data.mode === 'all' && problems.length) throw new UserError(`${problems.length} problem(s): nothing was imported. Fix the file, or import only the valid rows.`);
  const matched = await db.$transaction(
    async (tx) => {
      for (const e of entries) {
        await tx.photoLogEntry.upsert({
          where: { cohortId_photoRef: { cohortId: data.cohortId, photoRef: e.photoRef } },
          create: { cohortId: data.cohortId, photoRef: e.photoRef, recordId: e.recordId, photoDate: e.photoDate },
          update: { recordId: e.recordId, photoDate: e.photoDate },
        });
      }
      const n = await matchPhotos(tx, data.cohortId);
      await audit(tx, { userId, action: 'photolog.import', entityType: 'Cohort', entityId: data.cohortId, details: { rows: csv.rows.length, imported: entries.length, rejected: csv.rows.length - entries.length, rematchedPhotos: n } });
      return n;
    },
    { timeout: 300_000, maxWait: 30_000 },
  );
  return { ...summary, committed: true, matched };
}
