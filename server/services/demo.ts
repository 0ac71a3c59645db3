/**
 * Synthetic demo cohort: a clearly labelled, fully synthetic cohort (no photos, no real people)
 * so that a new installation shows every dashboard within a minute.
 *
 * Generative model (all draws from one seeded PRNG, so a seed reproduces the cohort exactly):
 *
 *   sex            F with probability 0.45, else M
 *   site           M: lung .30, prostate .20, GI .20, head and neck .15, other .15
 *                  F: lung .30, breast .30, GI .15, head and neck .08, other .17
 *   age            chronological age at treatment start ~ Normal(65, 11²) truncated to [30, 95]
 *   ECOG           0/1/2/3 with probabilities .25/.40/.25/.10
 *   smoking        never .35, former .45, current .20
 *   BMI            Normal(26, 4.5²) truncated to [15, 50], one decimal
 *   intent         palliative .60, curative .40
 *   race           (custom covariate) White .75, Black .12, Asian .08, Other .05
 *   FaceAge        age + 4 + 2·[current smoker] + 1·[former smoker] + 0.8·ECOG + Normal(0, 5.5²)
 *   survival       Weibull proportional hazards, h(t) = λ₀·k·t^(k−1)·exp(lp), k = 1.2, λ₀ = 0.12/yr^k,
 *                  lp = 0.03·(FaceAge − 70) + 0.35·ECOG + 0.6·[palliative] + 0.2·[male]
 *                       + 0.15·[current smoker] + site effect (lung .4, GI .3, head and neck .1,
 *                       breast −.3, prostate −.5, other 0)
 *                  (true HR per 10 years of FaceAge = e^0.3 ≈ 1.35; chronological age has no
 *                  effect beyond FaceAge), drawn by inversion T = (−log U / (λ₀·e^lp))^(1/k)
 *   censoring      treatment start uniform over 2015-01-01 … 2022-12-31, data cut-off 2024-12-31
 *                  (administrative censoring), plus loss to follow-up ~ Exponential(0.05/yr);
 *                  observed time = min(T, cut-off, loss), at least one day
 *   dates          photo date = treatment start; DOB = start − age; death date = start + T when
 *                  the death is observed; last follow-up = start + observed time
 *
 * Stored as ordinary rows so that the whole pipeline (curation, QA, dataset) treats it as any
 * cohort: one Photo per patient with storageKey `synthetic:<n>`, a random 64-hex sha256,
 * width/height 0, QA passed, and one FaceAgeEstimate with detectorId 'synthetic' and
 * ageModelId 'synthetic-demo'. Cohort.isSynthetic = true and its name says "Synthetic demo".
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { audit } from './audit.ts';
import { UserError } from './errors.ts';
import { mulberry32 } from './random.ts';

export const SYNTHETIC_DETECTOR_ID = 'synthetic';
export const SYNTHETIC_AGE_MODEL_ID = 'synthetic-demo';
export const DEMO_STUDY_NAME = 'Synthetic demo';

export const GENERATIVE_MODEL = {
  weibullShape: 1.2,
  weibullScale: 0.12,
  faceAgeEffectPerYear: 0.03,
  ecog: 0.35,
  palliative: 0.6,
  male: 0.2,
  currentSmoker: 0.15,
  site: { lung: 0.4, GI: 0.3, 'head and neck': 0.1, breast: -0.3, prostate: -0.5, other: 0 } as Record<string, number>,
  faceAge: { offset: 4, currentSmoker: 2, formerSmoker: 1, perEcog: 0.8, noiseSd: 5.5 },
  lossToFollowUpRate: 0.05,
  accrual: ['2015-01-01', '2022-12-31'],
  cutoff: '2024-12-31',
} as const;

/** Seeded uniform [0, 1) generator (Mulberry32), shared with the survey. */
export const prng = mulberry32;

function normal(rand: () => number): number {
  // Box–Muller; 1 − u avoids log(0)
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function pick<T extends string>(rand: () => number, options: readonly (readonly [T, number])[]): T {
  let u = rand();
  for (const [value, p] of options) {
    if (u < p) return value;
    u -= p;
  }
  return options[options.length - 1][0];
}

function truncNormal(rand: () => number, mean: number, sd: number, lo: number, hi: number): number {
  for (let i = 0; i < 100; i++) {
    const v = mean + sd * normal(rand);
    if (v >= lo && v <= hi) return v;
  }
  return Math.min(hi, Math.max(lo, mean));
}

const DAY = 86_400_000;
const YEAR_DAYS = 365.25;
const dateOnly = (ms: number) => new Date(Math.floor(ms / DAY) * DAY);

export interface SyntheticPatient {
  index: number;
  recordId: string;
  sex: 'M' | 'F';
  site: string;
  diagnosis: string;
  treatmentIntent: 'palliative' | 'curative';
  ecog: number;
  smoking: 'never' | 'former' | 'current';
  bmi: number;
  race: string;
  /** exact age at treatment start in years (before day rounding) */
  age: number;
  faceAge: number;
  dateOfBirth: Date;
  treatmentStart: Date;
  dateOfDeath: Date | null;
  lastFollowUp: Date;
  /** survival time in years from the photo date (= treatment start), from the stored dates */
  survivalYears: number;
  event: 0 | 1;
  sha256: string;
}

/** Draws n synthetic patients from the generative model above (pure, deterministic per seed). */
export function generateSyntheticPatients(n: number, seed = 42): SyntheticPatient[] {
  const rand = prng(seed);
  const g = GENERATIVE_MODEL;
  const accrualStart = Date.parse(g.accrual[0]);
  const accrualEnd = Date.parse(g.accrual[1]);
  const cutoff = Date.parse(g.cutoff);
  const out: SyntheticPatient[] = [];
  for (let i = 0; i < n; i++) {
    const sex = rand() < 0.45 ? 'F' : 'M';
    const site =
      sex === 'M'
        ? pick(rand, [['lung', 0.3], ['prostate', 0.2], ['GI', 0.2], ['head and neck', 0.15], ['other', 0.15]] as const)
        : pick(rand, [['lung', 0.3], ['breast', 0.3], ['GI', 0.15], ['head and neck', 0.08], ['other', 0.17]] as const);
    const age = truncNormal(rand, 65, 11, 30, 95);
    const ecog = Number(pick(rand, [['0', 0.25], ['1', 0.4], ['2', 0.25], ['3', 0.1]] as const));
    const smoking = pick(rand, [['never', 0.35], ['former', 0.45], ['current', 0.2]] as const);
    const bmi = Math.round(truncNormal(rand, 26, 4.5, 15, 50) * 10) / 10;
    const treatmentIntent = rand() < 0.6 ? 'palliative' : 'curative';
    const race = pick(rand, [['White', 0.75], ['Black', 0.12], ['Asian', 0.08], ['Other', 0.05]] as const);
    const fa = g.faceAge;
    const faceAge =
      age + fa.offset + (smoking === 'current' ? fa.currentSmoker : smoking === 'former' ? fa.formerSmoker : 0) + fa.perEcog * ecog + fa.noiseSd * normal(rand);
    const lp =
      g.faceAgeEffectPerYear * (faceAge - 70) +
      g.ecog * ecog +
      (treatmentIntent === 'palliative' ? g.palliative : 0) +
      (sex === 'M' ? g.male : 0) +
      (smoking === 'current' ? g.currentSmoker : 0) +
      (g.site[site] ?? 0);
    const T = Math.pow(-Math.log(1 - rand()) / (g.weibullScale * Math.exp(lp)), 1 / g.weibullShape);
    const start = dateOnly(accrualStart + rand() * (accrualEnd - accrualStart));
    const adminYears = (cutoff - start.getTime()) / DAY / YEAR_DAYS;
    const lossYears = -Math.log(1 - rand()) / g.lossToFollowUpRate;
    const observed = Math.min(T, adminYears, lossYears);
    const event: 0 | 1 = T <= Math.min(adminYears, lossYears) ? 1 : 0;
    const days = Math.max(1, Math.round(observed * YEAR_DAYS));
    const end = new Date(start.getTime() + days * DAY);
    const dob = dateOnly(start.getTime() - age * YEAR_DAYS * DAY);
    const sha = Array.from({ length: 8 }, () => Math.floor(rand() * 0x100000000).toString(16).padStart(8, '0')).join('');
    out.push({
      index: i + 1,
      recordId: `SYN-${String(i + 1).padStart(6, '0')}`,
      sex,
      site,
      diagnosis: `${site} cancer (synthetic)`,
      treatmentIntent,
      ecog,
      smoking,
      bmi,
      race,
      age,
      faceAge: Math.round(faceAge * 100) / 100,
      dateOfBirth: dob,
      treatmentStart: start,
      dateOfDeath: event ? end : null,
      lastFollowUp: end,
      survivalYears: days / YEAR_DAYS,
      event,
      sha256: sha,
    });
  }
  return out;
}

export const demoOptionsSchema = z.object({
  patients: z.number().int().min(20).max(50_000).default(1000),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
  /** study to put the cohort in; created when missing */
  studyName: z.string().trim().min(1).max(200).default(DEMO_STUDY_NAME),
});

/**
 * Writes a synthetic demo cohort (study "Synthetic demo" by default) and returns its ids.
 * Never touches existing cohorts: a second call makes a second cohort with a distinct name.
 */
export async function createDemoCohort(db: Db, input: z.input<typeof demoOptionsSchema>, userId: string | null) {
  const opts = demoOptionsSchema.parse(input);
  const people = generateSyntheticPatients(opts.patients, opts.seed);
  const started = Date.now();
  const study =
    (await db.study.findUnique({ where: { name: opts.studyName } })) ??
    (await db.study
      .create({ data: { name: opts.studyName, description: 'Synthetic data only: generated by `faceage demo`; not real patients.', createdById: userId } })
      .catch(async () => db.study.findUnique({ where: { name: opts.studyName } })));
  if (!study) throw new UserError('could not create the demo study', 'CONFLICT');
  const base = `Synthetic demo (n=${opts.patients}, seed ${opts.seed})`;
  let name = base;
  for (let k = 2; await db.cohort.findUnique({ where: { studyId_name: { studyId: study.id, name } } }); k++) name = `${base} #${k}`;

  await ensureSyntheticModels(db);
  const cohort = await db.cohort.create({
    data: {
      studyId: study.id,
      name,
      isSynthetic: true,
      description:
        'SYNTHETIC DATA — not real patients. Covariates, outcomes and FaceAge values drawn from the generative model documented in docs/dashboards.md (Weibull survival, hazard rising with FaceAge).',
      covariates: { create: [{ name: 'race', type: 'categorical', levels: ['White', 'Black', 'Asian', 'Other'] }] },
    },
  });
  const patientIds = people.map(() => crypto.randomUUID());
  const photoIds = people.map(() => crypto.randomUUID());
  const iso = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);
  const now = new Date().toISOString();
  // One INSERT … SELECT FROM unnest(arrays) per table and chunk: 20,000 patients in seconds
  // (row-by-row createMany through the query engine takes minutes).
  const CHUNK = 5000;
  try {
    for (let a = 0; a < people.length; a += CHUNK) {
      const slice = people.slice(a, a + CHUNK);
      const pid = patientIds.slice(a, a + CHUNK);
      const phid = photoIds.slice(a, a + CHUNK);
      await db.$executeRaw`
        INSERT INTO "Patient" ("id", "cohortId", "recordId", "sex", "dateOfBirth", "diagnosis", "site", "treatmentStart", "treatmentIntent", "ecog", "smoking", "bmi", "dateOfDeath", "lastFollowUp", "covariates", "updatedAt")
        SELECT u.id, ${cohort.id}, u.rec, u.sex, u.dob::date, u.diag, u.site, u.start::date, u.intent, u.ecog::int, u.smoking, u.bmi::float8, u.death::date, u.lastfu::date, u.cov::jsonb, ${now}::timestamp
        FROM unnest(${pid}::text[], ${slice.map((p) => p.recordId)}::text[], ${slice.map((p) => p.sex)}::text[], ${slice.map((p) => iso(p.dateOfBirth))}::text[],
                    ${slice.map((p) => p.diagnosis)}::text[], ${slice.map((p) => p.site)}::text[], ${slice.map((p) => iso(p.treatmentStart))}::text[],
                    ${slice.map((p) => p.treatmentIntent)}::text[], ${slice.map((p) => String(p.ecog))}::text[], ${slice.map((p) => p.smoking)}::text[],
                    ${slice.map((p) => String(p.bmi))}::text[], ${slice.map((p) => iso(p.dateOfDeath))}::text[], ${slice.map((p) => iso(p.lastFollowUp))}::text[],
                    ${slice.map((p) => JSON.stringify({ race: p.race }))}::text[])
          AS u(id, rec, sex, dob, diag, site, start, intent, ecog, smoking, bmi, death, lastfu, cov)`;
      await db.$executeRaw`
        INSERT INTO "Photo" ("id", "cohortId", "patientId", "sha256", "storageKey", "takenAt", "takenAtSource", "width", "height", "bytes", "sourceFileName", "qaStatus", "qaReason", "qaAt")
        SELECT u.id, ${cohort.id}, u.pid, u.sha, u.key, u.taken::date, 'log', 0, 0, 0, u.file, 'passed'::"QaStatus", 'synthetic demo (no photo)', ${now}::timestamp
        FROM unnest(${phid}::text[], ${pid}::text[], ${slice.map((p) => p.sha256)}::text[], ${slice.map((p) => `synthetic:${p.index}`)}::text[],
                    ${slice.map((p) => iso(p.treatmentStart))}::text[], ${slice.map((p) => `synthetic-${p.index}`)}::text[])
          AS u(id, pid, sha, key, taken, file)`;
      await db.$executeRaw`
        INSERT INTO "FaceAgeEstimate" ("id", "photoId", "detectorId", "ageModelId", "faceCount", "value")
        SELECT u.id, u.phid, ${SYNTHETIC_DETECTOR_ID}, ${SYNTHETIC_AGE_MODEL_ID}, 1, u.value::float8
        FROM unnest(${slice.map(() => crypto.randomUUID())}::text[], ${phid}::text[], ${slice.map((p) => String(p.faceAge))}::text[]) AS u(id, phid, value)`;
    }
  } catch (err) {
    await db.cohort.delete({ where: { id: cohort.id } }).catch(() => {});
    throw err;
  }
  await audit(db, {
    userId,
    action: 'demo.create',
    entityType: 'Cohort',
    entityId: cohort.id,
    details: { patients: opts.patients, seed: opts.seed, studyId: study.id },
  });
  return { studyId: study.id, cohortId: cohort.id, name, patients: people.length, events: people.reduce((s, p) => s + p.event, 0), ms: Date.now() - started };
}

/** Registers the synthetic "models" so provenance look-ups find them (kind 'synthetic'). */
async function ensureSyntheticModels(db: Db) {
  const rows = [
    { id: SYNTHETIC_DETECTOR_ID, role: 'detector', kind: 'synthetic', name: 'Synthetic demo (no face detection)' },
    { id: SYNTHETIC_AGE_MODEL_ID, role: 'age', kind: 'synthetic', name: 'Synthetic demo FaceAge values (generative model, not a network)' },
  ];
  for (const r of rows) {
    await db.modelVersion.upsert({
      where: { id: r.id },
      update: {},
      create: { ...r, sha256: '0'.repeat(64), origin: 'server/services/demo.ts', licence: 'n/a (synthetic)', inputSpec: {} },
    });
  }
}
