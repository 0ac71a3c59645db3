import fs from 'node:fs';
import path from 'node:path';
import { migrateDeploy } from './db/migrate.ts';
import { startEmbeddedPostgres } from './db/embedded.ts';
import { env } from './env.ts';

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * The database the process should use: DATABASE_URL when set; otherwise the embedded
 * PostgreSQL under FACEAGE_DATA_DIR/pg. The launcher ('server') starts it; a standalone
 * worker connects to the one the launcher started.
 */
export async function startEmbeddedIfNeeded(opts: { role: 'server' | 'worker' | 'cli' }): Promise<DatabaseHandle> {
  const config = env();
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: false, stop: async () => {} };
  // The CLI uses the running platform's database, or starts the embedded one for its own run.
  if (opts.role === 'cli' && !embeddedRunning(path.join(config.dataDir, 'pg'))) {
    const database = await startEmbeddedPostgres({ dir: path.join(config.dataDir, 'pg'), port: config.EMBEDDED_PG_PORT });
    process.env.DATABASE_URL = database.url;
    await migrateDeploy(database.url);
    return { url: database.url, embedded: true, stop: database.stop };
  }
  if (opts.role !== 'server') {
    const url = `postgresql://faceage:faceage-local@127.0.0.1:${config.EMBEDDED_PG_PORT}/faceage`;
    process.env.DATABASE_URL = url;
    return { url, embedded: true, stop: async () => {} };
  }
  const database = await startEmbeddedPostgres({ dir: path.join(config.dataDir, 'pg'), port: config.EMBEDDED_PG_PORT });
  process.env.DATABASE_URL = database.url;
  return { url: database.url, embedded: true, stop: database.stop };
}

function embeddedRunning(dir: string): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
