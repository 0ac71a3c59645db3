import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { migrateDeploy } from '../../server/db/migrate.ts';

/**
 * One real PostgreSQL for the test run, in a fresh temporary cluster with a fresh database,
 * migrated with the same `prisma migrate deploy` the platform uses. With TEST_DATABASE_URL set
 * (CI with a server of its own) that server is used instead.
 */
export default async function setup(project: TestProject) {
  let url = process.env.TEST_DATABASE_URL;
  let stop = async () => {};
  let dir: string | undefined;
  if (!url) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-test-pg-'));
    fs.chmodSync(dir, 0o755);
    const port = 56000 + Math.floor(Math.random() * 4000);
    const db = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port, database: `faceage_test_${Date.now()}` });
    url = db.url;
    stop = db.stop;
  }
  await migrateDeploy(url);
  process.env.DATABASE_URL = url;
  project.provide('databaseUrl', url);
  return async () => {
    await stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}
