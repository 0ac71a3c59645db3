import type { PgBoss } from 'pg-boss';
import { startBoss } from '~/workers/boss.ts';

const globalForBoss = globalThis as unknown as { faceageBoss?: Promise<PgBoss> };

/** The web process's pg-boss handle, used only to send jobs (workers do the work). */
export function getBoss(): Promise<PgBoss> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  globalForBoss.faceageBoss ??= startBoss(url);
  return globalForBoss.faceageBoss;
}

export async function stopBoss(): Promise<void> {
  const boss = await globalForBoss.faceageBoss;
  globalForBoss.faceageBoss = undefined;
  await boss?.stop({ graceful: false, timeout: 5_000 });
}
