import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Applies pending migrations with `prisma migrate deploy`. The WebAssembly engine keeps the
 * process alive ~10 s after it has finished, so we stop waiting once it reports success.
 */
export function migrateDeploy(databaseUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'migrate', 'deploy'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let done = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!done && /No pending migrations to apply|All migrations have been successfully applied/.test(output)) {
        done = true;
        child.kill('SIGTERM');
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (done) return;
      done = true;
      if (code === 0) resolve();
      else reject(new Error(`database migration failed:\n${output.replace(/^WARNING[\s\S]*?confusion[^\n]*\n/m, '').trim()}`));
    });
  });
}
