import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PhotoStore } from '~/server/storage/photo-store.ts';

describe('content-addressed photo store', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-store-'));
  const store = new PhotoStore(root);

  it('stores by sha256 and never overwrites', async () => {
    const data = Buffer.from('a photo');
    const sha = crypto.createHash('sha256').update(data).digest('hex');
    const first = await store.put(data);
    expect(first).toEqual({ sha256: sha, key: `${sha.slice(0, 2)}/${sha.slice(2, 4)}/${sha}`, bytes: 7, created: true });
    const again = await store.put(data);
    expect(again.created).toBe(false);
    expect((await store.get(first.key)).toString()).toBe('a photo');
    // no temporary files left behind
    expect(fs.readdirSync(path.dirname(store.pathFor(first.key)))).toEqual([sha]);
  });

  it('handles concurrent writers of the same content', async () => {
    const data = crypto.randomBytes(100_000);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.put(data)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await store.get(results[0].key)).equals(data)).toBe(true);
  });

  it('refuses keys outside the store', () => {
    expect(() => store.pathFor('../../etc/passwd')).toThrow('invalid storage key');
    expect(() => store.keyFor('nothex')).toThrow('invalid sha256');
  });
});
