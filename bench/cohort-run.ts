/**
 * `npm run bench:cohort` — the cohort workflow's bar (issue 6): a 1,000-photo cohort runs to
 * completion with two worker processes, exactly one estimate per photo, and survives a worker
 * being SIGKILLed mid-run (its jobs are retried by pg-boss once its heartbeat stops; a fresh worker
 * is started again a few seconds later).
 *
 * Photos are the 504 faces of ../shared/faces (or $FACEAGE_SHARED_DIR/faces), reused with a
 * trailing byte appended after the JPEG end marker to make distinct sha256s.
 * Options: --photos N (default 1000) --workers N (default 2) --kill-at F (fraction done, default 0.3)
 * Uses DATABASE_URL when set, else a throwaway embedded PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const N = Number(arg('photos', '1000'));
const WORKERS = Number(arg('workers', '2'));
const KILL_AT = Number(arg('kill-at', '0.3'));
const log = (m: string) => process.stdout.write(`[bench:cohort ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

const sharedRoot = process.env.FACEAGE_SHARED_DIR ? path.resolve(process.env.FACEAGE_SHARED_DIR) : path.resolve(root, '../shared');
const facesDir = path.join(sharedRoot, 'faces', 'images');
if (!fs.existsSync(facesDir)) {
  log(`SKIPPED: ${facesDir} not found (set FACEAGE_SHARED_DIR)`);
  process.exit(0);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-bench-cohort-'));
fs.chmodSync(tmp, 0o755);
process.env.PHOTO_STORE_DIR = path.join(tmp, 'photos');
process.env.FACEAGE_DATA_DIR = tmp;

const { startEmbeddedPostgres } = await import('../server/db/embedded.ts');
const { migrateDeploy } = await import('../server/db/migrate.ts');
let stopPg = async () => {};
let url = process.env.DATABASE_URL;
if (!url) {
  const pg = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), port: 57000 + Math.floor(Math.random() * 2000), database: 'bench' });
  url = pg.url;
  stopPg = pg.stop;
}
await migrateDeploy(url);
process.env.DATABASE_URL = url;

const { db, closeDb } = await import('../server/db/client.ts');
const { createUser } = await import('../server/services/auth.ts');
const { createStudy, createCohort } = await import('../server/services/studies.ts');
const { commitClinicalImport } = await import('../server/services/imports.ts');
const { ingestPhoto, photoStore } = await import('../server/services/photos.ts');
const { startRun, getRun } = await import('../server/services/runs.ts');
const { startBoss } = await import('../workers/boss.ts');

const database = db();
const workers: ChildProcess[] = [];
const startWorkerProcess = (k: number) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, WORKER_THREADS: '1', WORKER_CONCURRENCY: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => process.env.BENCH_VERBOSE && process.stdout.write(`  [w${k}] ${b}`));
  child.stderr!.on('data', (b: Buffer) => process.env.BENCH_VERBOSE && process.stderr.write(`  [w${k}] ${b}`));
  workers.push(child);
  return child;
};

async function cleanup() {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await closeDb();
  await stopPg();
  fs.rmSync(tmp, { recursive: true, force: true });
}

try {
  const user = await createUser(database, { email: 'bench@bench.local', name: 'Bench', password: 'bench-password-1', role: 'coordinator' }, null);
  const study = await createStudy(database, { name: 'Bench study' }, user.id);
  const cohort = await createCohort(database, { studyId: study.id, name: `Bench ${N} photos` }, user.id);
  const ids = Array.from({ length: N }, (_, i) => `R${String(i + 1).padStart(5, '0')}`);
  await commitClinicalImport(
    database,
    { cohortId: cohort.id, csvText: 'record_id,dob,start,fu\n' + ids.map((r) => `${r},1950-01-01,2020-01-10,2021-01-10`).join('\n'), mapping: { core: { recordId: 'record_id', dateOfBirth: 'dob', treatmentStart: 'start', lastFollowUp: 'fu' }, covariates: [] }, dateFormat: 'iso', mode: 'all' },
    user.id,
  );
  const faces = fs.readdirSync(facesDir).filter((f) => f.endsWith('.jpg')).sort();
  const store = photoStore();
  let t0 = performance.now();
  let stored = 0;
  for (let i = 0; i < N; i++) {
    const copy = Math.floor(i / faces.length);
    const data = fs.readFileSync(path.join(facesDir, faces[i % faces.length]));
    const bytes = copy === 0 ? data : Buffer.concat([data, Buffer.from([copy])]);
    const r = await ingestPhoto(database, store, cohort.id, `${ids[i]}_${faces[i % faces.length]}`, bytes, user.id);
    if (r.status === 'stored') stored++;
    else log(`photo ${i} ${r.status}: ${r.message}`);
  }
  const ingestS = (performance.now() - t0) / 1000;
  log(`ingested ${stored}/${N} photos in ${ingestS.toFixed(1)} s (${((1000 * ingestS) / N).toFixed(1)} ms/photo: validation decode, sha256, store, match, audit)`);

  for (let k = 0; k < WORKERS; k++) startWorkerProcess(k);
  const boss = await startBoss(url);
  t0 = performance.now();
  const run = await startRun(database, boss, { cohortId: cohort.id }, user.id);
  log(`run ${run.id}: ${run.total} photos enqueued in ${(performance.now() - t0).toFixed(0)} ms; ${WORKERS} workers (1 onnx thread each)`);

  let killedAt: number | null = null;
  let restartedAt: number | null = null;
  let doneAtKill = 0;
  let p = await getRun(database, run.id);
  const tRun = performance.now();
  while (p.status !== 'completed' && performance.now() - tRun < 30 * 60_000) {
    await new Promise((r) => setTimeout(r, 2000));
    p = await getRun(database, run.id);
    const processed = p.done + p.failed;
    log(`${p.status}: ${p.done} done, ${p.failed} failed, ${p.remaining} remaining · ${p.ratePerMinute?.toFixed(0) ?? '—'} photos/min · ETA ${p.etaSeconds ? Math.ceil(p.etaSeconds) + ' s' : '—'}`);
    if (killedAt === null && processed >= KILL_AT * p.total) {
      workers[0].kill('SIGKILL');
      killedAt = performance.now();
      doneAtKill = processed;
      log(`>>> SIGKILL worker 0 (pid ${workers[0].pid}) at ${processed}/${p.total}`);
    }
    if (killedAt !== null && restartedAt === null && performance.now() - killedAt > 5000) {
      startWorkerProcess(WORKERS);
      restartedAt = performance.now();
      log('>>> started a fresh worker');
    }
  }
  const runS = (performance.now() - tRun) / 1000;
  await boss.stop({ graceful: false, timeout: 2000 });
  const estimates = await database.faceAgeEstimate.count({ where: { photo: { cohortId: cohort.id } } });
  const dupes = await database.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM (SELECT "photoId" FROM "FaceAgeEstimate" GROUP BY "photoId", "detectorId", "ageModelId" HAVING count(*) > 1) d`;
  const noFace = await database.faceAgeEstimate.count({ where: { photo: { cohortId: cohort.id }, value: null } });
  const ok = p.status === 'completed' && estimates === stored && Number(dupes[0].n) === 0;
  log('--- result ---');
  log(`status ${p.status}; photos ${stored}; estimates ${estimates}; duplicate keys ${dupes[0].n}; no estimate (no face / unreadable) ${noFace}`);
  log(`run wall time ${runS.toFixed(1)} s → ${((60 * stored) / runS).toFixed(0)} photos/min overall (${WORKERS} workers, one killed at ${doneAtKill} processed and replaced 5 s later)`);
  log(ok ? 'PASS: completed, exactly one estimate per photo, survived the killed worker' : 'FAIL');
  process.exitCode = ok ? 0 : 1;
} finally {
  await cleanup();
}
