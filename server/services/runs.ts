/**
 * FaceAge runs: "Run FaceAge" on a cohort enqueues one pg-boss job per photo lacking an estimate
 * from (default detector, chosen age model); workers record estimates (workers/handlers/faceage.ts).
 * Progress is computed from the database (estimates tagged with the run id), so it survives
 * page reloads and worker restarts. Cancel stops the remaining jobs; retry re-enqueues failed
 * and never-processed photos.
 */
import crypto from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import { payload, queues } from '~/workers/jobs.ts';
import type { Db } from '../db/client.ts';
import { audit } from './audit.ts';
import { UserError } from './errors.ts';
import { ageModels, DEFAULT_DETECTOR_ID, defaultAgeModelId } from './model-info.ts';

export type EstimateOutcome =
  | { runId: string; photoId: string; detectorId: string; ageModelId: string; keepExisting: true }
  | {
      runId: string;
      photoId: string;
      detectorId: string;
      ageModelId: string;
      keepExisting?: false;
      faceCount: number;
      box: [number, number, number, number] | null;
      confidence: number | null;
      value: number | null;
      error: string | null;
    };

/**
 * Idempotent write of a batch of estimates: INSERT … ON CONFLICT on (photo, detector, age model).
 * A successful value is never replaced by a failure (a late duplicate job cannot erase it).
 */
export async function recordEstimates(db: Db, outcomes: EstimateOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.$transaction(async (tx) => {
    for (const o of outcomes) {
      if (o.keepExisting) {
        await tx.faceAgeEstimate.updateMany({ where: { photoId: o.photoId, detectorId: o.detectorId, ageModelId: o.ageModelId }, data: { runId: o.runId } });
        continue;
      }
      const round = (v: number | undefined) => (v === undefined ? null : Math.round(v));
      const [x, y, w, h] = o.box ?? [];
      const error = o.error ? o.error.slice(0, 500) : null;
      await tx.$executeRaw`
        INSERT INTO "FaceAgeEstimate" ("id", "photoId", "detectorId", "ageModelId", "faceCount", "boxX", "boxY", "boxW", "boxH", "confidence", "value", "error", "runId", "createdAt")
        VALUES (${crypto.randomUUID()}, ${o.photoId}, ${o.detectorId}, ${o.ageModelId}, ${o.faceCount}, ${round(x)}, ${round(y)}, ${round(w)}, ${round(h)}, ${o.confidence}, ${o.value}, ${error}, ${o.runId}, now())
        ON CONFLICT ("photoId", "detectorId", "ageModelId") DO UPDATE SET
          "faceCount" = EXCLUDED."faceCount", "boxX" = EXCLUDED."boxX", "boxY" = EXCLUDED."boxY", "boxW" = EXCLUDED."boxW", "boxH" = EXCLUDED."boxH",
          "confidence" = EXCLUDED."confidence", "value" = EXCLUDED."value", "error" = EXCLUDED."error", "runId" = EXCLUDED."runId", "createdAt" = now()
        WHERE "FaceAgeEstimate"."value" IS NULL OR EXCLUDED."value" IS NOT NULL`;
    }
  });
  const runIds = [...new Set(outcomes.map((o) => o.runId))];
  await completeRuns(db, runIds);
}

/** Marks runs completed once every photo has an outcome. */
export async function completeRuns(db: Db, runIds: string[]): Promise<void> {
  if (runIds.length === 0) return;
  await db.$executeRaw`
    UPDATE "BatchRun" r SET "status" = 'completed', "finishedAt" = now()
    WHERE r."id" = ANY(${runIds}) AND r."status" IN ('queued', 'running')
      AND r."total" <= (SELECT count(*) FROM "FaceAgeEstimate" e WHERE e."runId" = r."id")`;
}

async function photosToRun(db: Db, cohortId: string, detectorId: string, ageModelId: string) {
  return db.photo.findMany({
    where: {
      cohortId,
      NOT: { storageKey: { startsWith: 'synthetic:' } },
      estimates: { none: { detectorId, ageModelId, value: { not: null } } },
    },
    select: { id: true },
    orderBy: { createdAt: 'asc' },
  });
}

async function enqueue(boss: PgBoss, runId: string, photoIds: string[], detectorId: string, ageModelId: string) {
  for (let i = 0; i < photoIds.length; i += 500) {
    const jobs = photoIds.slice(i, i + 500).map((photoId) => ({ data: payload('faceage', { runId, photoId, detectorId, ageModelId }) }));
    await boss.insert(queues.faceage.name, jobs);
  }
}

export async function startRun(db: Db, boss: PgBoss, input: { cohortId: string; ageModelId?: string }, userId: string | null) {
  const cohort = await db.cohort.findUnique({ where: { id: input.cohortId }, select: { id: true } });
  if (!cohort) throw new UserError('cohort not found', 'NOT_FOUND');
  const ageModelId = input.ageModelId ?? defaultAgeModelId();
  if (!ageModels().some((m) => m.id === ageModelId)) throw new UserError(`unknown age model ${ageModelId}`);
  const detectorId = DEFAULT_DETECTOR_ID;
  const run = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'run:' + input.cohortId}))`;
    const active = await tx.batchRun.findFirst({ where: { cohortId: input.cohortId, ageModelId, status: { in: ['queued', 'running'] } } });
    if (active) throw new UserError('a run with this age model is already in progress for this cohort', 'CONFLICT');
    const photos = await photosToRun(tx as unknown as Db, input.cohortId, detectorId, ageModelId);
    if (photos.length === 0) throw new UserError('every photo of this cohort already has an estimate from this age model (or there are no photos)');
    const created = await tx.batchRun.create({ data: { cohortId: input.cohortId, detectorId, ageModelId, total: photos.length, createdById: userId } });
    await audit(tx, { userId, action: 'run.start', entityType: 'BatchRun', entityId: created.id, details: { cohortId: input.cohortId, detectorId, ageModelId, photos: photos.length } });
    return { run: created, photoIds: photos.map((p) => p.id) };
  });
  try {
    await enqueue(boss, run.run.id, run.photoIds, detectorId, ageModelId);
  } catch (err) {
    await db.batchRun.update({ where: { id: run.run.id }, data: { status: 'failed', finishedAt: new Date() } });
    throw err;
  }
  return run.run;
}

export interface RunProgress {
  id: string;
  cohortId: string;
  status: string;
  detectorId: string;
  ageModelId: string;
  total: number;
  done: number;
  failed: number;
  remaining: number;
  /** photos per minute */
  ratePerMinute: number | null;
  etaSeconds: number | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export async function runProgress(db: Db, runIds: string[]): Promise<RunProgress[]> {
  const runs = await db.batchRun.findMany({ where: { id: { in: runIds } }, orderBy: { createdAt: 'desc' } });
  const counts = await db.faceAgeEstimate.groupBy({ by: ['runId'], where: { runId: { in: runIds } }, _count: { _all: true, value: true } });
  const now = Date.now();
  return runs.map((r) => {
    const c = counts.find((x) => x.runId === r.id);
    const processed = c?._count._all ?? 0;
    const done = c?._count.value ?? 0;
    const failed = processed - done;
    const remaining = r.status === 'cancelled' ? 0 : Math.max(0, r.total - processed);
    const elapsed = r.startedAt ? ((r.finishedAt?.getTime() ?? now) - r.startedAt.getTime()) / 1000 : 0;
    const rate = elapsed > 1 && processed > 0 ? processed / elapsed : null;
    return {
      id: r.id, cohortId: r.cohortId, status: r.status, detectorId: r.detectorId, ageModelId: r.ageModelId, total: r.total,
      done, failed, remaining,
      ratePerMinute: rate ? rate * 60 : null,
      etaSeconds: rate && remaining > 0 && (r.status === 'running' || r.status === 'queued') ? remaining / rate : null,
      createdAt: r.createdAt, startedAt: r.startedAt, finishedAt: r.finishedAt,
    };
  });
}

export async function listRuns(db: Db, cohortId: string): Promise<RunProgress[]> {
  const runs = await db.batchRun.findMany({ where: { cohortId }, select: { id: true }, orderBy: { createdAt: 'desc' }, take: 20 });
  return runProgress(db, runs.map((r) => r.id));
}

export async function getRun(db: Db, runId: string): Promise<RunProgress> {
  const [p] = await runProgress(db, [runId]);
  if (!p) throw new UserError('run not found', 'NOT_FOUND');
  return p;
}

export async function runFailures(db: Db, runId: string) {
  const rows = await db.faceAgeEstimate.findMany({
    where: { runId, value: null },
    select: { photoId: true, error: true, faceCount: true, photo: { select: { sourceFileName: true, patient: { select: { recordId: true } } } } },
    orderBy: { createdAt: 'asc' },
    take: 1000,
  });
  return rows.map((r) => ({ photoId: r.photoId, fileName: r.photo.sourceFileName, recordId: r.photo.patient?.recordId ?? null, error: r.error, faceCount: r.faceCount }));
}

export async function cancelRun(db: Db, runId: string, userId: string | null) {
  return db.$transaction(async (tx) => {
    const run = await tx.batchRun.findUnique({ where: { id: runId } });
    if (!run) throw new UserError('run not found', 'NOT_FOUND');
    if (run.status !== 'queued' && run.status !== 'running') throw new UserError(`the run is already ${run.status}`, 'CONFLICT');
    await tx.batchRun.update({ where: { id: runId }, data: { status: 'cancelled', finishedAt: new Date() } });
    await audit(tx, { userId, action: 'run.cancel', entityType: 'BatchRun', entityId: runId, details: { cohortId: run.cohortId } });
    return { ok: true };
  });
}

/** Re-enqueues the run's failed photos and any photo still lacking an estimate (also resumes a cancelled run). */
export async function retryRun(db: Db, boss: PgBoss, runId: string, userId: string | null) {
  const run = await db.batchRun.findUnique({ where: { id: runId } });
  if (!run) throw new UserError('run not found', 'NOT_FOUND');
  const prepared = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'run:' + run.cohortId}))`;
    const other = await tx.batchRun.findFirst({ where: { cohortId: run.cohortId, ageModelId: run.ageModelId, status: { in: ['queued', 'running'] }, NOT: { id: runId } } });
    if (other) throw new UserError('another run with this age model is in progress', 'CONFLICT');
    const removed = await tx.faceAgeEstimate.deleteMany({ where: { runId, value: null } });
    const done = await tx.faceAgeEstimate.count({ where: { runId, value: { not: null } } });
    const photos = await photosToRun(tx as unknown as Db, run.cohortId, run.detectorId, run.ageModelId);
    if (photos.length === 0) throw new UserError('nothing to retry: every photo has an estimate');
    await tx.batchRun.update({ where: { id: runId }, data: { status: 'running', total: done + photos.length, finishedAt: null, startedAt: run.startedAt ?? new Date() } });
    await audit(tx, { userId, action: 'run.retry', entityType: 'BatchRun', entityId: runId, details: { cohortId: run.cohortId, failedCleared: removed.count, photos: photos.length } });
    return photos.map((p) => p.id);
  });
  await enqueue(boss, runId, prepared, run.detectorId, run.ageModelId);
  return { enqueued: prepared.length };
}
