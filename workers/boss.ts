import { PgBoss } from 'pg-boss';
import { queues } from './jobs.ts';

/** Starts pg-boss on the platform database (its own `pgboss` schema) and ensures every queue. */
export async function startBoss(databaseUrl: string): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: databaseUrl, max: 4 });
  boss.on('error', (err) => process.stderr.write(`[pg-boss] ${err instanceof Error ? err.message : String(err)}\n`));
  await boss.start();
  for (const q of Object.values(queues)) {
    await boss.createQueue(q.name, q.options);
  }
  return boss;
}
