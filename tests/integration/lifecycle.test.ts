import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const distDir = process.env.NEXT_DIST_DIR || '.next';
const built = fs.existsSync(path.join(root, distDir, 'BUILD_ID'));

/** Processes whose command line mentions `needle` (the test's unique data folder or port). */
function processesMatching(needle: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(needle) && !line.includes('ps -eo'));
}

function launch(dataDir: string, port: number, pgPort: number): { child: ChildProcess; ready: Promise<void>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', FACEAGE_DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(pgPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (buf: Buffer) => {
      output += buf.toString();
      if (output.includes('FaceAge platform ready at')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`launcher exited (${code}) before ready:\n${output}`)));
  });
  return { child, ready, output: () => output };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe.skipIf(!built)('npm start launcher', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-lifecycle-'));
  const port = 3400 + Math.floor(Math.random() * 400);
  const pgPort = 58000 + Math.floor(Math.random() * 1000);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('serves the first-run page, stops cleanly on SIGTERM and keeps the data across restarts', { timeout: 180_000 }, async () => {
    const first = launch(dataDir, port, pgPort);
    await first.ready;
    const base = `http://127.0.0.1:${port}`;
    const status = await (await fetch(`${base}/api/trpc/auth.status`)).json();
    expect(status.result.data.json.needsSetup).toBe(true);
    const page = await fetch(`${base}/setup`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('FaceAge');

    const created = await fetch(`${base}/api/trpc/auth.setupAdmin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { email: 'admin@lifecycle.test', name: 'Admin', password: 'lifecycle-password' } }),
    });
    expect(created.status).toBe(200);
    expect(created.headers.get('set-cookie')).toMatch(/faceage_session=.*HttpOnly.*SameSite=Lax/);

    expect(processesMatching(dataDir).length).toBeGreaterThan(0); // PostgreSQL runs on our data folder
    expect(await stop(first.child)).toBe(0);
    expect(processesMatching(dataDir)).toEqual([]);
    expect(processesMatching(`-p ${port}`)).toEqual([]);
    expect(processesMatching('workers/main.ts').filter((l) => l.includes(String(process.pid)))).toEqual([]);

    const second = launch(dataDir, port, pgPort);
    await second.ready;
    const again = await (await fetch(`${base}/api/trpc/auth.status`)).json();
    expect(again.result.data.json.needsSetup).toBe(false);
    expect(await stop(second.child)).toBe(0);
    expect(processesMatching(dataDir)).toEqual([]);
  });
});

if (!built) console.warn(`lifecycle test skipped: no web build in ${distDir} (npm test builds it first)`);
