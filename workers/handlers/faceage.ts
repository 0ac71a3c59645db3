/**
 * FaceAge run jobs: each job is one photo × (detector, age model). The handler reads the photo
 * from the content-addressed store, runs the models/ pipeline (created once per worker process
 * and age model) and upserts the estimate on its unique (photo, detector, age model) key, so a
 * retry, a second worker or a re-run never duplicates it. Photo problems (no face, unreadable)
 * are stored as the estimate's error; infrastructure errors throw and pg-boss retries the job.
 */
import type { Db } from '~/server/db/client.ts';
import { recordEstimates, type EstimateOutcome } from '~/server/services/runs.ts';
import type { PhotoStore } from '~/server/storage/photo-store.ts';
import { queues, type Payload } from '../jobs.ts';

/** What the handler needs from the pipeline (models/pipeline.ts's Pipeline satisfies it). */
export interface Analyser {
  analyseBatch(inputs: Buffer[]): Promise<
    { faceCount: number; box: [number, number, number, number] | null; confidence: number | null; faceage: number | null; detector: string; ageModel: string; error: string | null }[]
  >;
}

export interface FaceAgeDeps {
  store: PhotoStore;
  /** The (cached) pipeline for an age model. */
  analyser(ageModelId: string): Promise<Analyser>;
}

/** pg-boss attempts per job (the first try + retries). */
const RETRY_LIMIT = queues.faceage.options.retryLimit;

export async function handleFaceAgeJobs(db: Db, jobs: { data: unknown; retryCount?: number }[], deps: FaceAgeDeps): Promise<{ processed: number; skipped: number }> {
  const payloads: Payload<'faceage'>[] = jobs.map((j) => queues.faceage.schema.parse(j.data));
  const finalAttempt = new Set(jobs.flatMap((j, i) => ((j.retryCount ?? 0) >= RETRY_LIMIT ? [payloads[i].photoId + '|' + payloads[i].runId] : [])));
  const runIds = [...new Set(payloads.map((p) => p.runId))];
  const runs = new Map((await db.batchRun.findMany({ where: { id: { in: runIds } } })).map((r) => [r.id, r]));
  // Cancelled (or deleted) runs: their remaining jobs finish without work.
  const live = payloads.filter((p) => {
    const r = runs.get(p.runId);
    return r && r.status !== 'cancelled';
  });
  if (live.length === 0) return { processed: 0, skipped: payloads.length };
  await db.batchRun.updateMany({ where: { id: { in: runIds }, status: 'queued' }, data: { status: 'running', startedAt: new Date() } });

  const photos = new Map(
    (await db.photo.findMany({ where: { id: { in: live.map((p) => p.photoId) } }, select: { id: true, storageKey: true } })).map((p) => [p.id, p]),
  );
  // Already estimated (a retry after the estimate committed, or a duplicate job): no recompute.
  const done = await db.faceAgeEstimate.findMany({
    where: { OR: live.map((p) => ({ photoId: p.photoId, detectorId: p.detectorId, ageModelId: p.ageModelId })), value: { not: null } },
    select: { photoId: true, detectorId: true, ageModelId: true },
  });
  const doneKeys = new Set(done.map((e) => `${e.photoId}|${e.detectorId}|${e.ageModelId}`));
  const outcomes: EstimateOutcome[] = [];
  const byModel = new Map<string, { p: Payload<'faceage'>; data: Buffer }[]>();
  for (const p of live) {
    const photo = photos.get(p.photoId);
    if (!photo) continue; // photo deleted since: nothing to do
    if (doneKeys.has(`${p.photoId}|${p.detectorId}|${p.ageModelId}`)) {
      outcomes.push({ ...p, keepExisting: true });
      continue;
    }
    if (photo.storageKey.startsWith('synthetic:')) {
      outcomes.push({ ...p, faceCount: 0, box: null, confidence: null, value: null, error: 'synthetic photo: no image file' });
      continue;
    }
    let data: Buffer;
    try {
      data = await deps.store.get(photo.storageKey);
    } catch {
      outcomes.push({ ...p, faceCount: 0, box: null, confidence: null, value: null, error: 'photo file missing from the store' });
      continue;
    }
    const list = byModel.get(p.ageModelId) ?? [];
    list.push({ p, data });
    byModel.set(p.ageModelId, list);
  }
  for (const [ageModelId, items] of byModel) {
    let results: Awaited<ReturnType<Analyser['analyseBatch']>>;
    try {
      const analyser = await deps.analyser(ageModelId);
      results = await analyser.analyseBatch(items.map((i) => i.data));
    } catch (err) {
      // Infrastructure failure (model files, memory…): pg-boss retries the batch. On a job's last
      // attempt its photo is recorded as failed with the reason, so the run still completes and
      // the photo can be retried from the Runs page once the problem is fixed.
      const last = items.filter(({ p }) => finalAttempt.has(p.photoId + '|' + p.runId));
      const reason = `pipeline failed: ${(err as Error).message}`.slice(0, 300);
      await recordEstimates(db, [...outcomes, ...last.map(({ p }) => ({ ...p, faceCount: 0, box: null, confidence: null, value: null, error: reason }))]);
      throw err;
    }
    items.forEach(({ p }, k) => {
      const r = results[k];
      if (r.detector !== p.detectorId || r.ageModel !== p.ageModelId) throw new Error(`pipeline answered for ${r.detector}/${r.ageModel}, job asked for ${p.detectorId}/${p.ageModelId}`);
      outcomes.push({
        ...p,
        faceCount: r.faceCount,
        box: r.box,
        confidence: r.confidence,
        value: r.error ? null : r.faceage,
        error: r.error ?? (r.faceage === null ? 'no estimate' : null),
      });
    });
  }
  await recordEstimates(db, outcomes);
  return { processed: outcomes.length, skipped: payloads.length - live.length };
}
