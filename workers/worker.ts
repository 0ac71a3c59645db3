import os from 'node:os';
import type { PgBoss } from 'pg-boss';
import { closeDb, db } from '~/server/db/client.ts';
import { startBoss } from './boss.ts';
import { queues } from './jobs.ts';
import { handleSelftest } from './handlers/selftest.ts';

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
  return {
    id,
    boss,
    async stop() {
      await boss.stop({ graceful: true, timeout: 15_000 });
      await closeDb();
    },
  };
}
