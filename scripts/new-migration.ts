/**
 * `npm run db:migration -- <name>`: writes a migration from the difference between the committed
 * schema (HEAD) and the working one. `prisma migrate dev` with the WebAssembly engine panics
 * while describing constraints in a shadow database, so we diff datamodel to datamodel; the
 * JavaScript engine still wants a live connection, so a throw-away embedded PostgreSQL serves it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../server/db/embedded.ts';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/i.test(name)) {
  console.error('usage: npm run db:migration -- <name>   (letters, digits, underscores)');
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-migration-'));
const oldSchema = path.join(tmp, 'old.prisma');
fs.writeFileSync(oldSchema, execFileSync('git', ['show', 'HEAD:prisma/schema.prisma']));
const database = await startEmbeddedPostgres({ dir: path.join(tmp, 'pg'), port: 59000 + Math.floor(Math.random() * 900) });
try {
  const sql = execFileSync(
    process.execPath,
    ['node_modules/prisma/build/index.js', 'migrate', 'diff', '--from-schema-datamodel', oldSchema, '--to-schema-datamodel', 'prisma/schema.prisma', '--script'],
    { env: { ...process.env, DATABASE_URL: database.url }, encoding: 'utf8' },
  );
  if (/This is an empty migration/.test(sql) || !sql.trim()) {
    console.log('no schema changes against HEAD; nothing written');
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = path.join('prisma/migrations', `${stamp}_${name}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
    console.log(`wrote ${dir}/migration.sql\n${sql}`);
  }
} finally {
  await database.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
