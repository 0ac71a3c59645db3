import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PgBoss } from 'pg-boss';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { stopBoss } from '~/server/jobs.ts';
import { analysisDataset } from '~/server/services/dataset.ts';
import { exportCohort } from '~/server/services/exports.ts';
import { ingestPhoto } from '~/server/services/photos.ts';
import { cancelRun, getRun, retryRun, startRun } from '~/server/services/runs.ts';
import { PhotoStore } from '~/server/storage/photo-store.ts';
import { handleFaceAgeJobs, type Analyser } from '~/workers/handlers/faceage.ts';
import { DETECTOR_ID } from '~/models/registry.ts';
import { useTestDatabase } from '../helpers/context.ts';
import { coordinatorCohort, faceFiles, facesDir } from '../helpers/cohort.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-runs-'));
process.env.PHOTO_STORE_DIR = path.join(tmp, 'store');
const store = new PhotoStore(process.env.PHOTO_STORE_DIR);
const AGE = 'baseline-faceapi-agegender-1.7.15';

/** Captures jobs instead of sending them, so the handler can be driven directly. */
function fakeBoss() {
  const jobs: { data: unknown }[] = [];
  const boss = { insert: async (_name: string, list: { data: unknown }[]) => (jobs.push(...list), null) } as unknown as PgBoss;
  return { boss, jobs };
}

let calls = 0;
const fakeAnalyser: Analyser = {
  async analyseBatch(inputs) {
    calls += inputs.length;
    return inputs.map((buf) => {
      const noFace = buf.length % 7 === 0; // deterministic "no face" for some photos
      return { faceCount: noFace ? 0 : 1, box: noFace ? null : [10.4, 12.6, 30, 32], confidence: noFace ? null : 0.99, faceage: noFace ? null : 61.5, detector: DETECTOR_ID, ageModel: AGE, error: noFace ? 'no face found' : null };
    });
  },
};

async function cohortWithPhotos(n: number) {
  const db = useTestDatabase();
  const ctx = await coordinatorCohort('runs');
  await ctx.caller.imports.commitClinical({
    cohortId: ctx.cohort.id,
    csvText: 'record_id,dob,start,fu\n' + Array.from({ length: n }, (_, i) => `R${i},1950-01-01,2020-01-10,2021-01-10`).join('\n'),
    mapping: { core: { recordId: 'record_id', dateOfBirth: 'dob', treatmentStart: 'start', lastFollowUp: 'fu' }, covariates: [] }, dateFormat: 'iso', mode: 'all',
  });
  for (let i = 0; i < n; i++) {
    const data = await sharp({ create: { width: 40 + i, height: 40, channels: 3, background: { r: i * 9, g: 100, b: 50 } } }).jpeg().withExif({ IFD2: { DateTimeOriginal: '2020:01:05 10:00:00' } }).toBuffer();
    await ingestPhoto(db, store, ctx.cohort.id, `R${i}_photo.jpg`, data, ctx.user.id);
  }
  return { db, ...ctx };
}

afterAll(async () => {
  await stopBoss();
});

describe('FaceAge run jobs', () => {
  it('are idempotent: running the jobs twice, or by two workers at once, gives one estimate per photo', async () => {
    const { db, cohort, user } = await cohortWithPhotos(6);
    const { boss, jobs } = fakeBoss();
    const run = await startRun(db, boss, { cohortId: cohort.id, ageModelId: AGE }, user.id);
    expect(jobs).toHaveLength(6);
    await expect(startRun(db, boss, { cohortId: cohort.id, ageModelId: AGE }, user.id)).rejects.toThrow(/already in progress/);
    const deps = { store, analyser: async () => fakeAnalyser };
    // two "workers" take overlapping batches at the same time, then a retry of everything
    await Promise.all([handleFaceAgeJobs(db, jobs.slice(0, 4), deps), handleFaceAgeJobs(db, jobs.slice(2), deps)]);
    calls = 0;
    await handleFaceAgeJobs(db, jobs, deps);
    const estimates = await db.faceAgeEstimate.findMany({ where: { photo: { cohortId: cohort.id } } });
    expect(estimates).toHaveLength(6);
    expect(new Set(estimates.map((e) => e.photoId)).size).toBe(6);
    const failed = estimates.filter((e) => e.value === null).length;
    expect(calls).toBe(failed); // the retry recomputed only the failed ones
    const progress = await getRun(db, run.id);
    expect(progress).toMatchObject({ status: 'completed', total: 6, done: 6 - failed, failed, remaining: 0 });
    const ok = estimates.find((e) => e.value !== null)!;
    expect(ok).toMatchObject({ boxX: 10, boxY: 13, boxW: 30, boxH: 32, faceCount: 1, confidence: 0.99, value: 61.5, detectorId: DETECTOR_ID, ageModelId: AGE, runId: run.id });

    // the dataset uses these estimates: chrono age at 2020-01-05 from 1950-01-01 = 25571 days / 365.25
    const ds = await analysisDataset(db, cohort.id);
    expect(ds.ageModelId).toBe(AGE);
    expect(ds.rows.length).toBe(6 - failed);
    expect(ds.rows[0]).toMatchObject({ chronoAge: 25571 / 365.25, faceAge: 61.5, ageGap: 61.5 - 25571 / 365.25, survivalYears: 371 / 365.25, event: 0, ageModelKind: 'baseline' });

    const paper = await exportCohort(db, cohort.id, 'paper', user.id);
    expect(paper.csv.split('\r\n')[0]).toBe('pmrn,chronologic age,face age,survival time,event flag,gender,site,detector,age model');
    const preds = await exportCohort(db, cohort.id, 'predictions', user.id);
    expect(preds.csv.split('\r\n')[0]).toBe('subj_id,faceage');
    expect(preds.rows).toBe(6 - failed);
    expect(await db.auditEvent.count({ where: { action: { in: ['export.paper', 'export.predictions'] }, entityId: cohort.id } })).toBe(2);
  });

  it('cancel stops the remaining jobs; retry re-enqueues failed and unprocessed photos', async () => {
    const { db, cohort, user } = await cohortWithPhotos(4);
    const { boss, jobs } = fakeBoss();
    const run = await startRun(db, boss, { cohortId: cohort.id, ageModelId: AGE }, user.id);
    const deps = { store, analyser: async () => fakeAnalyser };
    await handleFaceAgeJobs(db, jobs.slice(0, 1), deps);
    await cancelRun(db, run.id, user.id);
    expect(await handleFaceAgeJobs(db, jobs.slice(1), deps)).toMatchObject({ processed: 0, skipped: 3 });
    expect(await getRun(db, run.id)).toMatchObject({ status: 'cancelled', remaining: 0 });
    const again = fakeBoss();
    const retried = await retryRun(db, again.boss, run.id, user.id);
    expect(retried.enqueued).toBeGreaterThanOrEqual(3);
    await handleFaceAgeJobs(db, again.jobs, deps);
    const p = await getRun(db, run.id);
    expect(p.done + p.failed).toBe(p.total);
    expect(p.status).toBe('completed');
    expect(await db.faceAgeEstimate.count({ where: { photo: { cohortId: cohort.id } } })).toBe(4);
    expect(await db.auditEvent.count({ where: { entityId: run.id, action: { in: ['run.start', 'run.cancel', 'run.retry'] } } })).toBe(3);
  });

  it('a pipeline failure is retried by pg-boss; on the last attempt the photos are recorded as failed so the run completes', async () => {
    const { db, cohort, user } = await cohortWithPhotos(2);
    const { boss, jobs } = fakeBoss();
    const run = await startRun(db, boss, { cohortId: cohort.id, ageModelId: AGE }, user.id);
    const broken = { store, analyser: async (): Promise<Analyser> => { throw new Error('model file missing'); } };
    await expect(handleFaceAgeJobs(db, jobs, broken)).rejects.toThrow(/model file missing/);
    expect(await db.faceAgeEstimate.count({ where: { runId: run.id } })).toBe(0);
    await expect(handleFaceAgeJobs(db, jobs.map((j) => ({ ...j, retryCount: 5 })), broken)).rejects.toThrow(/model file missing/);
    expect(await getRun(db, run.id)).toMatchObject({ status: 'completed', failed: 2, done: 0 });
    expect((await db.faceAgeEstimate.findFirstOrThrow({ where: { runId: run.id } })).error).toBe('pipeline failed: model file missing');
  });

  const faces = facesDir();
  it.skipIf(!faces)('a real pg-boss worker with the real models: one estimate per photo (skipped without ../shared/faces)', async () => {
    const db = useTestDatabase();
    const { caller, cohort, user } = await coordinatorCohort('real');
    for (const f of faceFiles(4)) await ingestPhoto(db, store, cohort.id, path.basename(f), fs.readFileSync(f), user.id);
    const { startWorker } = await import('~/workers/worker.ts');
    const w1 = await startWorker(process.env.DATABASE_URL!);
    try {
      const run = await caller.runs.start({ cohortId: cohort.id, ageModelId: AGE });
      let p = await caller.runs.get({ runId: run.id });
      for (let i = 0; i < 240 && p.status !== 'completed'; i++) {
        await new Promise((r) => setTimeout(r, 250));
        p = await caller.runs.get({ runId: run.id });
      }
      expect(p).toMatchObject({ status: 'completed', total: 4, remaining: 0 });
      const est = await db.faceAgeEstimate.findMany({ where: { photo: { cohortId: cohort.id } } });
      expect(est).toHaveLength(4);
      const withFace = est.filter((e) => e.value !== null);
      expect(withFace.length).toBeGreaterThanOrEqual(3);
      for (const e of withFace) {
        expect(e.value!).toBeGreaterThan(0);
        expect(e.value!).toBeLessThan(110);
        expect(e.boxW!).toBeGreaterThan(10);
        expect(e.detectorId).toBe(DETECTOR_ID);
      }
    } finally {
      await w1.stop();
    }
  }, 120_000);
  if (!faces) it.skip('real-model run: SKIPPED — ../shared/faces (or $FACEAGE_SHARED_DIR/faces) not found', () => {});
});
