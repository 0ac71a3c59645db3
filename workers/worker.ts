import os from 'node:os';
import type { PgBoss } from 'pg-boss';
import { closeDb, db } from '~/server/db/client.ts';
import { startBoss } from './boss.ts';
import { queues } from './jobs.ts';
import { handleSelftest } from './handlers/selftest.ts';
import { handleFaceAgeJobs } from './handlers/faceage.ts';
import { closePipelines, pipelineFor } from './pipelines.ts';
import { env } from '~/server/env.ts';
import { PhotoStore } from '~/server/storage/photo-store.ts';

export interface RunningWorker {
  id: string;
  boss: PgBoss;
  stop(): Promise<void>;
}

/** Starts a worker: any number of them may run against one database (pg-boss locks jobs). */
export async function startWorker(databaseUrl: string): Promise<RunningWorker> {
  process.env.DATABASE_URL ??= databaseUrl;
  const id = `${os.hostname()}:${process.pid}`;
  const boss = await startBoss(databaseUrl);
  const database = db();
  await boss.work(queues.selftest.name, { pollingIntervalSeconds: 0.5 }, async (jobs) => {
    const results = [];
    for (const job of jobs) results.push(await handleSelftest(database, job.data, id));
    return results;
  });
  // FaceAge runs: a few photos per fetch so the age model runs batched.
  const faceageDeps = { store: new PhotoStore(env().photoStoreDir), analyser: (ageModelId: string) => pipelineFor(ageModelId, { threads: env().WORKER_THREADS }) };
  await boss.work(queues.faceage.name, { batchSize: 8, pollingIntervalSeconds: 1, localConcurrency: env().WORKER_CONCURRENCY }, async (jobs) => {
    await handleFaceAgeJobs(database, jobs, faceageDeps);
  });
  return {
    id,
    boss,
    async stop() {
      await boss.stop({ graceful: true, timeout: 15_000 });
      await closePipelines();
      await closeDb();
    },
  };
}
