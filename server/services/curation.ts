/**
 * Curation: the paper's inclusion/exclusion rules (Database_Curation), editable per cohort, and
 * the CONSORT-style flow. Pure functions over already-loaded rows: no database here, so the
 * arithmetic is easy to test (tests/integration/cohort-curation.test.ts).
 *
 * Conventions: dates are calendar dates; time in years = days / 365.25; chronological age at the
 * photo = (photo date − date of birth) in days / 365.25; survival time = (date of death, else
 * last follow-up − photo date) in days / 365.25; event = 1 when a date of death is recorded.
 */
import { z } from 'zod';
import { daysBetween, yearsBetween } from './dates.ts';

export const curationRulesSchema = z.object({
  /** Photo taken within this many days of treatment start (either side). null = no limit. */
  photoWindowDays: z.number().int().min(0).max(3650).nullable().default(30),
  /** Treatment start within this many days of the reference date (e.g. consult). null = no check. */
  referenceWindowDays: z.number().int().min(0).max(3650).nullable().default(30),
  /** Covariate holding the reference date (ISO date), set by the clinical import. */
  referenceDateField: z.string().min(1).max(100).default('referenceDate'),
  /** Exclude patients without a reference date (when false, the check applies only where one exists). */
  requireReferenceDate: z.boolean().default(false),
  /** Allowed treatment intents; null = any (including missing). */
  allowedIntents: z.array(z.enum(['curative', 'palliative'])).nullable().default(null),
  /** Date consistency: last follow-up and death on/after treatment start, death not before birth. */
  requireConsistentDates: z.boolean().default(true),
  /** Analysis rows need a FaceAge estimate from the chosen age model (no face → excluded). */
  requireEstimate: z.boolean().default(true),
});
export type CurationRules = z.infer<typeof curationRulesSchema>;

/** The paper's defaults. */
export const DEFAULT_RULES: CurationRules = curationRulesSchema.parse({});

export function rulesOf(stored: unknown): CurationRules {
  const parsed = curationRulesSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_RULES;
}

export interface CurationPatient {
  id: string;
  recordId: string;
  dateOfBirth: Date | null;
  treatmentStart: Date | null;
  treatmentIntent: string | null;
  dateOfDeath: Date | null;
  lastFollowUp: Date | null;
  covariates: Record<string, unknown>;
}

export interface CurationPhoto {
  id: string;
  patientId: string | null;
  takenAt: Date | null;
  qaStatus: 'pending' | 'passed' | 'culled';
  /** Has a usable estimate (face found, value present) for the chosen models. */
  hasEstimate: boolean;
  /** Estimate exists but no face was found / it failed. */
  estimateFailed: boolean;
}

/** The steps of the flow, in order. Each patient leaves at the first step it fails. */
export const STEPS = [
  { key: 'dates', label: 'Missing or inconsistent dates' },
  { key: 'intent', label: 'Treatment intent not selected' },
  { key: 'reference', label: 'Treatment start not within the window of the reference date' },
  { key: 'photo', label: 'No photo' },
  { key: 'window', label: 'No dated photo within the window of treatment start' },
  { key: 'qa', label: 'Photo culled at QA' },
  { key: 'estimate', label: 'No FaceAge estimate (no face found, failed or not run)' },
] as const;
export type StepKey = (typeof STEPS)[number]['key'];

export interface PatientCuration {
  patientId: string;
  included: boolean;
  /** The step at which the patient was excluded, null when included. */
  excludedAt: StepKey | null;
  /** Human-readable reasons (no PHI values: field names and rule names only). */
  reasons: string[];
  /** The photo used for the analysis (closest to treatment start within the window), or the best candidate. */
  photoId: string | null;
  chronoAge: number | null;
  survivalYears: number | null;
  event: 0 | 1 | null;
}

export function chronologicalAge(dob: Date | null, photoDate: Date | null): number | null {
  return dob && photoDate ? yearsBetween(dob, photoDate) : null;
}

export function survival(photoDate: Date | null, death: Date | null, lastFollowUp: Date | null): { years: number | null; event: 0 | 1 | null } {
  if (!photoDate) return { years: null, event: null };
  if (death) return { years: yearsBetween(photoDate, death), event: 1 };
  if (lastFollowUp) return { years: yearsBetween(photoDate, lastFollowUp), event: 0 };
  return { years: null, event: null };
}

function referenceDate(p: CurationPatient, field: string): Date | null | 'invalid' {
  const v = p.covariates[field];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return 'invalid';
  const d = new Date(`${v}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? 'invalid' : d;
}

/** Applies the rules to one patient and its photos. */
export function curatePatient(p: CurationPatient, photos: CurationPhoto[], rules: CurationRules): PatientCuration {
  const reasons: string[] = [];
  const out = (excludedAt: StepKey | null, photo: CurationPhoto | null): PatientCuration => {
    const photoDate = photo?.takenAt ?? null;
    const s = survival(photoDate, p.dateOfDeath, p.lastFollowUp);
    return {
      patientId: p.id,
      included: excludedAt === null,
      excludedAt,
      reasons,
      photoId: photo?.id ?? null,
      chronoAge: chronologicalAge(p.dateOfBirth, photoDate),
      survivalYears: s.years,
      event: s.event,
    };
  };

  // Candidate photo, chosen before any exclusion so excluded rows still show what was there.
  const dated = photos.filter((ph) => ph.takenAt);
  const distance = (ph: CurationPhoto) => (p.treatmentStart && ph.takenAt ? Math.abs(daysBetween(p.treatmentStart, ph.takenAt)) : Number.POSITIVE_INFINITY);
  const byCloseness = [...dated].sort((a, b) => distance(a) - distance(b) || a.takenAt!.getTime() - b.takenAt!.getTime() || a.id.localeCompare(b.id));
  const inWindow = byCloseness.filter((ph) => rules.photoWindowDays === null || distance(ph) <= rules.photoWindowDays);
  const usable = inWindow.filter((ph) => ph.qaStatus !== 'culled');
  const withEstimate = usable.filter((ph) => ph.hasEstimate);
  const candidate = withEstimate[0] ?? usable[0] ?? inWindow[0] ?? byCloseness[0] ?? photos[0] ?? null;

  // 1. dates
  const dateProblems: string[] = [];
  if (!p.dateOfBirth) dateProblems.push('date of birth missing');
  if (!p.treatmentStart) dateProblems.push('treatment start missing');
  if (!p.dateOfDeath && !p.lastFollowUp) dateProblems.push('neither date of death nor last follow-up');
  if (rules.requireConsistentDates) {
    if (p.dateOfBirth && p.dateOfDeath && p.dateOfDeath < p.dateOfBirth) dateProblems.push('death before birth');
    if (p.treatmentStart && p.dateOfDeath && p.dateOfDeath < p.treatmentStart) dateProblems.push('death before treatment start');
    if (p.treatmentStart && p.lastFollowUp && p.lastFollowUp < p.treatmentStart) dateProblems.push('last follow-up before treatment start');
    if (p.dateOfBirth && p.treatmentStart && p.treatmentStart < p.dateOfBirth) dateProblems.push('treatment start before birth');
  }
  if (dateProblems.length) {
    reasons.push(...dateProblems);
    return out('dates', candidate);
  }
  // 2. intent
  if (rules.allowedIntents && !rules.allowedIntents.includes(p.treatmentIntent as 'curative' | 'palliative')) {
    reasons.push(p.treatmentIntent ? `treatment intent ${p.treatmentIntent} not selected` : 'treatment intent missing');
    return out('intent', candidate);
  }
  // 3. reference date window
  if (rules.referenceWindowDays !== null) {
    const ref = referenceDate(p, rules.referenceDateField);
    if (ref === 'invalid') {
      reasons.push(`${rules.referenceDateField} is not a date`);
      return out('reference', candidate);
    }
    if (ref === null && rules.requireReferenceDate) {
      reasons.push(`${rules.referenceDateField} missing`);
      return out('reference', candidate);
    }
    if (ref && Math.abs(daysBetween(ref, p.treatmentStart!)) > rules.referenceWindowDays) {
      reasons.push(`treatment start more than ${rules.referenceWindowDays} days from ${rules.referenceDateField}`);
      return out('reference', candidate);
    }
  }
  // 4. any photo
  if (photos.length === 0) {
    reasons.push('no photo');
    return out('photo', null);
  }
  // 5. dated photo within the window
  if (inWindow.length === 0) {
    reasons.push(dated.length === 0 ? 'no photo date (log or EXIF)' : `no photo within ${rules.photoWindowDays} days of treatment start`);
    return out('window', candidate);
  }
  // 6. QA
  if (usable.length === 0) {
    reasons.push('all photos in the window culled at QA');
    return out('qa', candidate);
  }
  // follow-up must not end before the photo
  const s = survival(candidate!.takenAt, p.dateOfDeath, p.lastFollowUp);
  if (rules.requireConsistentDates && s.years !== null && s.years < 0) {
    reasons.push('death or last follow-up before the photo date');
    return out('dates', candidate);
  }
  // 7. estimate
  if (rules.requireEstimate && withEstimate.length === 0) {
    reasons.push(usable.some((ph) => ph.estimateFailed) ? 'no face found or FaceAge failed' : 'FaceAge not run for this photo');
    return out('estimate', candidate);
  }
  return out(null, candidate);
}

export interface FlowStep {
  key: StepKey | 'start' | 'included';
  label: string;
  /** Patients remaining after this step. */
  remaining: number;
  /** Patients excluded at this step. */
  excluded: number;
  /** Excluded counts by reason. */
  reasons: Record<string, number>;
}

/** CONSORT-style flow: counts at each step, with reasons. */
export function consortFlow(results: PatientCuration[]): FlowStep[] {
  let remaining = results.length;
  const steps: FlowStep[] = [{ key: 'start', label: 'Patients imported', remaining, excluded: 0, reasons: {} }];
  for (const step of STEPS) {
    const here = results.filter((r) => r.excludedAt === step.key);
    remaining -= here.length;
    const reasons: Record<string, number> = {};
    for (const r of here) for (const reason of r.reasons) reasons[reason] = (reasons[reason] ?? 0) + 1;
    steps.push({ key: step.key, label: step.label, remaining, excluded: here.length, reasons });
  }
  steps.push({ key: 'included', label: 'Included in the analysis', remaining, excluded: 0, reasons: {} });
  return steps;
}
