/**
 * Analysis-ready CSV exports of a cohort, all built from the analysis dataset:
 *  - analysis: one row per patient (every patient, with inclusion status and reasons);
 *  - paper: the paper's column names (pmrn, chronologic age, face age, survival time, event flag), included rows;
 *  - predictions: subj_id,faceage for the included rows;
 *  - consort: the CONSORT flow, one row per step and reason.
 * Every export is audited (kind and counts only).
 */
import type { Db } from '../db/client.ts';
import { audit } from './audit.ts';
import { consortFlow } from './curation.ts';
import { toCsv } from './csv.ts';
import { curateCohort, type AnalysisRow } from './dataset.ts';
import { UserError } from './errors.ts';

export const EXPORT_KINDS = ['analysis', 'paper', 'predictions', 'consort'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

const r6 = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6);

export function analysisCsv(rows: AnalysisRow[], covariateNames: string[]): string {
  const headers = [
    'record_id', 'sex', 'site', 'diagnosis', 'treatment_intent', 'ecog', 'smoking', 'bmi',
    ...covariateNames.map((n) => `cov_${n}`),
    'photo_id', 'photo_date', 'chronological_age', 'faceage', 'age_gap', 'survival_years', 'event',
    'included', 'exclusion_reasons', 'qa_status', 'face_count', 'detection_confidence', 'face_box_x', 'face_box_y', 'face_box_w', 'face_box_h', 'detector_id', 'age_model_id', 'age_model_kind',
  ];
  return toCsv(
    headers,
    rows.map((r) => [
      r.recordId, r.sex, r.site, r.diagnosis, r.treatmentIntent, r.ecog, r.smoking, r.bmi,
      ...covariateNames.map((n) => r.covariates[n] ?? null),
      r.photoId, r.photoDate, r6(r.chronoAge), r6(r.faceAge), r6(r.ageGap), r6(r.survivalYears), r.event,
      r.included ? 1 : 0, r.reasons.join('; '), r.qaStatus, r.faceCount, r6(r.confidence), r.faceBox?.x ?? null, r.faceBox?.y ?? null, r.faceBox?.w ?? null, r.faceBox?.h ?? null, r.detectorId, r.ageModelId, r.ageModelKind,
    ]),
  );
}

/** The column names of the paper's analysis scripts. */
export function paperCsv(rows: AnalysisRow[]): string {
  return toCsv(
    ['pmrn', 'chronologic age', 'face age', 'survival time', 'event flag', 'gender', 'site', 'detector', 'age model'],
    rows.filter((r) => r.included).map((r) => [r.recordId, r6(r.chronoAge), r6(r.faceAge), r6(r.survivalYears), r.event, r.sex, r.site, r.detectorId, r.ageModelId]),
  );
}

export function predictionsCsv(rows: AnalysisRow[]): string {
  return toCsv(['subj_id', 'faceage'], rows.filter((r) => r.included && r.faceAge !== null).map((r) => [r.recordId, r6(r.faceAge)]));
}

export function consortCsv(rows: AnalysisRow[]): string {
  const flow = consortFlow(rows.map((r) => ({ patientId: r.patientId, included: r.included, excludedAt: r.excludedAt, reasons: r.reasons, photoId: r.photoId, chronoAge: r.chronoAge, survivalYears: r.survivalYears, event: r.event })));
  const out: unknown[][] = [];
  flow.forEach((s, i) => {
    const reasons = Object.entries(s.reasons);
    if (reasons.length === 0) out.push([i, s.key, s.label, s.excluded, s.remaining, '', '']);
    for (const [reason, n] of reasons) out.push([i, s.key, s.label, s.excluded, s.remaining, reason, n]);
  });
  return toCsv(['step', 'key', 'label', 'excluded', 'remaining', 'reason', 'reason_count'], out);
}

export async function exportCohort(db: Db, cohortId: string, kind: ExportKind, userId: string | null, opts: { ageModelId?: string } = {}) {
  if (!EXPORT_KINDS.includes(kind)) throw new UserError(`unknown export ${kind}`);
  const cohort = await db.cohort.findUnique({ where: { id: cohortId }, include: { covariates: { orderBy: { name: 'asc' } } } });
  if (!cohort) throw new UserError('cohort not found', 'NOT_FOUND');
  const curated = await curateCohort(db, cohortId, opts);
  const covNames = [...new Set([...cohort.covariates.map((c) => c.name), ...curated.rows.flatMap((r) => Object.keys(r.covariates))])].sort();
  const csv =
    kind === 'analysis' ? analysisCsv(curated.rows, covNames) : kind === 'paper' ? paperCsv(curated.rows) : kind === 'predictions' ? predictionsCsv(curated.rows) : consortCsv(curated.rows);
  const rows = csv.split('\r\n').length - 2;
  await audit(db, { userId, action: `export.${kind}`, entityType: 'Cohort', entityId: cohortId, details: { rows, ageModelId: curated.ageModelId, isSynthetic: curated.isSynthetic } });
  const safe = cohort.name.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 60) || 'cohort';
  return { filename: `${safe}-${kind}${curated.isSynthetic ? '-SYNTHETIC' : ''}.csv`, csv, rows };
}
