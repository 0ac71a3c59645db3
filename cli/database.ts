import { closeDb, db, type Db } from '~/server/db/client.ts';
import { startEmbeddedIfNeeded } from '~/server/runtime.ts';

/**
 * Runs a CLI action against the platform database (DATABASE_URL, the running embedded
 * PostgreSQL, or an embedded one started just for this command) and closes it afterwards.
 */
export async function withDatabase<T>(fn: (database: Db) => Promise<T>): Promise<T> {
  const handle = await startEmbeddedIfNeeded({ role: 'cli' });
  try {
    return await fn(db());
  } finally {
    await closeDb();
    await handle.stop();
  }
}
