import crypto from 'node:crypto';
import { DEFAULT_DETECTOR_ID } from '~/server/services/model-info.ts';
import { mulberry32 } from '~/server/services/random.ts';
import type { Db } from '~/server/db/client.ts';

export const TEST_AGE_MODEL = 'test-age-model';

const day = (iso: string, plusDays = 0) => new Date(Date.parse(`${iso}T00:00:00Z`) + plusDays * 86_400_000);

/**
 * A small deterministic cohort that passes the default curation: photo on the treatment start,
 * QA passed, one estimate per photo; about a third die within 6 months.
 */
export async function makeSurveyCohort(db: Db, opts: { studyId: string; name: string; n: number; seed?: number; storageKey?: (i: number) => string; sha?: (i: number) => string }) {
  const rand = mulberry32(opts.seed ?? 7);
  const cohort = await db.cohort.create({ data: { studyId: opts.studyId, name: opts.name } });
  await db.covariateDefinition.createMany({
    data: [
      { cohortId: cohort.id, name: 'stage', type: 'categorical', levels: ['I', 'II', 'III', 'IV'] },
      { cohortId: cohort.id, name: 'consultDate', type: 'date', levels: [] },
    ],
  });
  for (let i = 0; i < opts.n; i++) {
    const age = 50 + Math.floor(rand() * 35);
    const start = day('2020-01-01', Math.floor(rand() * 700));
    const faceAge = age + 4 + (rand() - 0.5) * 12;
    const risk = Math.exp(0.06 * (faceAge - 70));
    const t = Math.max(0.02, (-Math.log(1 - rand()) / (0.9 * risk)) * 1.2);
    const censor = 0.3 + rand() * 3;
    const dead = t <= censor;
    const days = Math.round((dead ? t : censor) * 365.25);
    const patient = await db.patient.create({
      data: {
        cohortId: cohort.id,
        recordId: `MRN-${opts.name}-${1000 + i}`,
        sex: rand() < 0.5 ? 'M' : 'F',
        dateOfBirth: day('2020-01-01', -Math.round(age * 365.25) + Math.floor(rand() * 300)),
        site: ['lung', 'breast', 'GI', 'prostate'][i % 4],
        diagnosis: 'carcinoma',
        treatmentStart: start,
        treatmentIntent: 'palliative',
        ecog: i % 4,
        smoking: ['never', 'former', 'current'][i % 3],
        bmi: 20 + (i % 10),
        dateOfDeath: dead ? day(start.toISOString().slice(0, 10), Math.max(days, 1)) : null,
        lastFollowUp: day(start.toISOString().slice(0, 10), Math.max(days, 1)),
        covariates: { stage: ['I', 'II', 'III', 'IV'][i % 4], consultDate: start.toISOString().slice(0, 10) },
      },
    });
    const sha = opts.sha?.(i) ?? crypto.randomBytes(32).toString('hex');
    const photo = await db.photo.create({
      data: {
        cohortId: cohort.id,
        patientId: patient.id,
        sha256: sha,
        storageKey: opts.storageKey?.(i) ?? `synthetic:${i}`,
        takenAt: start,
        takenAtSource: 'log',
        width: 0,
        height: 0,
        bytes: 0,
        sourceFileName: `IMG_${opts.name}_${i}.jpg`,
        qaStatus: 'passed',
      },
    });
    await db.faceAgeEstimate.create({
      data: { photoId: photo.id, detectorId: DEFAULT_DETECTOR_ID, ageModelId: TEST_AGE_MODEL, faceCount: 1, confidence: 0.99, value: faceAge },
    });
  }
  return cohort;
}
