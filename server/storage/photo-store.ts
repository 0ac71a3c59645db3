import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface StoredObject {
  sha256: string;
  key: string;
  bytes: number;
  /** false when an identical file was already stored. */
  created: boolean;
}

/**
 * Content-addressed photo store: a file's key is its SHA-256 (`ab/cd/abcd…`). Writes go to a
 * temporary file and are renamed into place, so a crash never leaves a half-written photo;
 * an existing object is never overwritten.
 */
export class PhotoStore {
  constructor(readonly root: string) {}

  keyFor(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('invalid sha256');
    return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
  }

  pathFor(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(path.resolve(this.root) + path.sep)) throw new Error('invalid storage key');
    return full;
  }

  async put(data: Buffer): Promise<StoredObject> {
    const sha256 = crypto.createHash('sha256').update(data).digest('hex');
    const key = this.keyFor(sha256);
    const target = this.pathFor(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
    await fs.writeFile(tmp, data, { flag: 'wx' });
    try {
      // link() fails if the target exists: never overwrite, even under concurrent writers.
      await fs.link(tmp, target);
      return { sha256, key, bytes: data.length, created: true };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { sha256, key, bytes: data.length, created: false };
      throw err;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  async get(key: string): Promise<Buffer> {
    return fs.readFile(this.pathFor(key));
  }

  async has(key: string): Promise<boolean> {
    try {
      await fs.access(this.pathFor(key));
      return true;
    } catch {
      return false;
    }
  }
}
