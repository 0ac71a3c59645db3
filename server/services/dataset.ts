/**
 * The analysis dataset: one row per patient with the curated photo, chronological age, FaceAge,
 * survival time and event flag. Dashboards, exports and the survey build on this contract.
 *
 * Default: curated rows only (included by the cohort's curation rules, which include "QA not
 * culled"); `includeExcluded` returns every patient with the reasons it is out.
 * Conventions: see server/services/curation.ts (days / 365.25).
 */
import type { Db } from '../db/client.ts';
import { curatePatient, rulesOf, type CurationPhoto, type CurationRules, type PatientCuration } from './curation.ts';
import { isoDate } from './dates.ts';
import { UserError } from './errors.ts';
import { ageModelKind, DEFAULT_DETECTOR_ID } from './model-info.ts';

export interface AnalysisRow {
  patientId: string;
  recordId: string;
  sex: 'M' | 'F' | null;
  site: string | null;
  diagnosis: string | null;
  treatmentIntent: string | null;
  ecog: number | null;
  smoking: string | null;
  bmi: number | null;
  covariates: Record<string, string | number | null>;
  photoId: string | null;
  /** ISO date */
  photoDate: string | null;
  /** years, (photo date − date of birth) in days / 365.25 */
  chronoAge: number | null;
  faceAge: number | null;
  /** faceAge − chronoAge */
  ageGap: number | null;
  survivalYears: number | null;
  event: 0 | 1 | null;
  included: boolean;
  /** why excluded */
  reasons: string[];
  qaStatus: 'pending' | 'passed' | 'culled' | null;
  detectorId: string | null;
  ageModelId: string | null;
  ageModelKind: 'faceage' | 'baseline' | 'synthetic' | null;
  // extra fields
  excludedAt: PatientCuration['excludedAt'];
  faceCount: number | null;
  confidence: number | null;
  /** First face's box in photo pixels (provenance, DESIGN.md §4). */
  faceBox: { x: number; y: number; w: number; h: number } | null;
}

export interface AnalysisDataset {
  rows: AnalysisRow[];
  ageModelId: string | null;
  isSynthetic: boolean;
}

/** The age model the cohort's analysis uses by default: the latest run's, else the most common estimate's. */
export async function defaultAgeModelFor(db: Db, cohortId: string): Promise<string | null> {
  const run = await db.batchRun.findFirst({ where: { cohortId, status: { in: ['completed', 'running', 'queued'] } }, orderBy: { createdAt: 'desc' } });
  if (run) return run.ageModelId;
  const groups = await db.faceAgeEstimate.groupBy({
    by: ['ageModelId'],
    where: { photo: { cohortId }, value: { not: null } },
    _count: { _all: true },
  });
  groups.sort((a, b) => b._count._all - a._count._all || a.ageModelId.localeCompare(b.ageModelId));
  return groups[0]?.ageModelId ?? null;
}

function covariateValues(raw: unknown): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      out[k] = typeof v === 'number' || typeof v === 'string' ? v : v === null || v === undefined ? null : String(v);
    }
  }
  return out;
}

const ESTIMATE_FIELDS = { detectorId: true, ageModelId: true, value: true, error: true, faceCount: true, confidence: true, boxX: true, boxY: true, boxW: true, boxH: true } as const;

export interface CuratedCohort {
  rules: CurationRules;
  ageModelId: string | null;
  isSynthetic: boolean;
  rows: AnalysisRow[];
}

/** Every patient of the cohort, curated (used by the dataset, the CONSORT flow and exports). */
export async function curateCohort(db: Db, cohortId: string, opts: { ageModelId?: string } = {}): Promise<CuratedCohort> {
  const cohort = await db.cohort.findUnique({ where: { id: cohortId } });
  if (!cohort) throw new UserError('cohort not found', 'NOT_FOUND');
  const rules = rulesOf(cohort.curationRules);
  const ageModelId = opts.ageModelId ?? (await defaultAgeModelFor(db, cohortId));
  const [patients, photos] = await Promise.all([
    db.patient.findMany({ where: { cohortId }, orderBy: { recordId: 'asc' } }),
    db.photo.findMany({
      where: { cohortId, patientId: { not: null } },
      select: {
        id: true,
        patientId: true,
        takenAt: true,
        qaStatus: true,
        estimates: ageModelId
          ? { where: { ageModelId }, select: ESTIMATE_FIELDS }
          : { where: { id: '' }, select: ESTIMATE_FIELDS },
      },
    }),
  ]);
  type PhotoRow = (typeof photos)[number];
  const pickEstimate = (ph: PhotoRow) =>
    ph.estimates.find((e) => e.detectorId === DEFAULT_DETECTOR_ID && e.value !== null) ?? ph.estimates.find((e) => e.value !== null) ?? ph.estimates[0] ?? null;
  const byPatient = new Map<string, PhotoRow[]>();
  for (const ph of photos) {
    const list = byPatient.get(ph.patientId!) ?? [];
    list.push(ph);
    byPatient.set(ph.patientId!, list);
  }
  const photoById = new Map(photos.map((ph) => [ph.id, ph]));
  const kind = ageModelId ? await ageModelKind(db, ageModelId) : null;

  const rows: AnalysisRow[] = patients.map((p) => {
    const own = byPatient.get(p.id) ?? [];
    const curationPhotos: CurationPhoto[] = own.map((ph) => {
      const est = pickEstimate(ph);
      return {
        id: ph.id,
        patientId: ph.patientId,
        takenAt: ph.takenAt,
        qaStatus: ph.qaStatus,
        hasEstimate: !!est && est.value !== null,
        estimateFailed: !!est && est.value === null,
      };
    });
    const covariates = covariateValues(p.covariates);
    const c = curatePatient({ ...p, covariates }, curationPhotos, rules);
    const photo = c.photoId ? photoById.get(c.photoId) ?? null : null;
    const est = photo ? pickEstimate(photo) : null;
    const faceAge = est?.value ?? null;
    return {
      patientId: p.id,
      recordId: p.recordId,
      sex: p.sex === 'M' || p.sex === 'F' ? p.sex : null,
      site: p.site,
      diagnosis: p.diagnosis,
      treatmentIntent: p.treatmentIntent,
      ecog: p.ecog,
      smoking: p.smoking,
      bmi: p.bmi,
      covariates,
      photoId: photo?.id ?? null,
      photoDate: isoDate(photo?.takenAt),
      chronoAge: c.chronoAge,
      faceAge,
      ageGap: faceAge !== null && c.chronoAge !== null ? faceAge - c.chronoAge : null,
      survivalYears: c.survivalYears,
      event: c.event,
      included: c.included,
      reasons: c.reasons,
      qaStatus: photo?.qaStatus ?? null,
      detectorId: est?.detectorId ?? null,
      ageModelId: est?.ageModelId ?? null,
      ageModelKind: est ? kind : null,
      excludedAt: c.excludedAt,
      faceCount: est?.faceCount ?? null,
      confidence: est?.confidence ?? null,
      faceBox: est && est.boxX !== null && est.boxY !== null && est.boxW !== null && est.boxH !== null ? { x: est.boxX, y: est.boxY, w: est.boxW, h: est.boxH } : null,
    };
  });
  return { rules, ageModelId, isSynthetic: cohort.isSynthetic || kind === 'synthetic', rows };
}

/** The analysis dataset of a cohort (default: curated, QA-not-culled rows only). */
export async function analysisDataset(db: Db, cohortId: string, opts: { ageModelId?: string; includeExcluded?: boolean } = {}): Promise<AnalysisDataset> {
  const curated = await curateCohort(db, cohortId, { ageModelId: opts.ageModelId });
  return {
    rows: opts.includeExcluded ? curated.rows : curated.rows.filter((r) => r.included),
    ageModelId: curated.ageModelId,
    isSynthetic: curated.isSynthetic,
  };
}
