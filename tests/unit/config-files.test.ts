import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '~/server/env.ts';

const root = path.resolve(import.meta.dirname, '../..');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');

function exampleNames(): string[] {
  return read('.env.example')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => l.split('=')[0]);
}

describe('configuration files agree', () => {
  it('.env.example documents every setting the server validates, and only those', () => {
    const env = parseEnv({});
    const validated = Object.keys(env).filter((k) => /^[A-Z_]+$/.test(k));
    // DATABASE_URL and the optional paths have no default, so they are absent from the parse result.
    const expected = new Set([...validated, 'DATABASE_URL', 'PHOTO_STORE_DIR', 'FACEAGE_MODEL_DIR']);
    expect(new Set(exampleNames())).toEqual(expected);
  });

  it('docker-compose.yml passes the application only variables named in .env.example', () => {
    const compose = read('docker-compose.yml');
    const block = compose.slice(compose.indexOf('environment: &appenv'), compose.indexOf('ports:'));
    const keys = [...block.matchAll(/^\s{6}([A-Z_]+):/gm)].map((m) => m[1]);
    expect(keys.length).toBeGreaterThan(5);
    const names = new Set(exampleNames());
    for (const key of keys) expect(names.has(key), `${key} is not in .env.example`).toBe(true);
  });
});
