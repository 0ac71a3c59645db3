/**
 * Photo ingestion into the content-addressed store: validation (size, pixel limits against
 * decompression bombs, a full decode so corrupt files are caught), duplicate detection by sha256,
 * matching to the patient (server/services/photo-match.ts), photo date from the log, else EXIF.
 * The bytes are written atomically before the database row, so nothing is ever half-written.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import yauzl from 'yauzl';
import type { Db } from '../db/client.ts';
import { env } from '../env.ts';
import { PhotoStore } from '../storage/photo-store.ts';
import { audit } from './audit.ts';
import { calendarDateOf } from './dates.ts';
import { UserError } from './errors.ts';
import { matchOne } from './photo-match.ts';

export const PHOTO_LIMITS = {
  /** Largest accepted photo file. */
  maxBytes: 30 * 1024 * 1024,
  /** Largest accepted image in pixels (width × height): larger ones are refused as decompression bombs. */
  maxPixels: 60_000_000,
  /** Largest accepted zip upload. */
  maxZipBytes: 4 * 1024 * 1024 * 1024,
  /** Most entries in one zip. */
  maxZipEntries: 20_000,
};

const IMAGE_EXT = /\.(jpe?g|png|webp|tiff?|bmp|gif|heic|heif|avif)$/i;

export function photoStore(): PhotoStore {
  return new PhotoStore(env().photoStoreDir);
}

export interface IngestResult {
  fileName: string;
  status: 'stored' | 'duplicate' | 'rejected';
  photoId?: string;
  /** Why it was rejected, or how it was matched. */
  message: string;
  matched?: boolean;
}

export interface ImageCheck {
  width: number;
  height: number;
}

/** Validates an image buffer: known format, within limits, fully decodable. Throws UserError. */
export async function checkImage(data: Buffer): Promise<ImageCheck> {
  if (data.length === 0) throw new UserError('empty file');
  if (data.length > PHOTO_LIMITS.maxBytes) throw new UserError(`file larger than ${PHOTO_LIMITS.maxBytes / 1024 / 1024} MB`);
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    // Header only: no pixels are decoded before the pixel limit is checked.
    meta = await sharp(data, { limitInputPixels: false }).metadata();
  } catch {
    throw new UserError('not a readable image (unknown or corrupt format)');
  }
  if (!meta.width || !meta.height) throw new UserError('not a readable image (no dimensions)');
  if (meta.width * meta.height > PHOTO_LIMITS.maxPixels) throw new UserError(`image of ${meta.width}×${meta.height} pixels exceeds the ${PHOTO_LIMITS.maxPixels / 1e6} MP limit`);
  try {
    // A full decode: truncated or corrupt pixel data is caught now, not at analysis time.
    await sharp(data, { limitInputPixels: PHOTO_LIMITS.maxPixels, failOn: 'truncated' }).resize(8, 8, { fit: 'fill' }).raw().toBuffer();
  } catch {
    throw new UserError('the image is truncated or corrupt');
  }
  const rotated = (meta.orientation ?? 1) >= 5;
  return { width: rotated ? meta.height : meta.width, height: rotated ? meta.width : meta.height };
}

async function exifDate(data: Buffer): Promise<Date | null> {
  try {
    const tags = (await exifr.parse(data, ['DateTimeOriginal', 'CreateDate', 'DateTime'])) as Record<string, unknown> | undefined;
    const v = tags?.DateTimeOriginal ?? tags?.CreateDate ?? tags?.DateTime;
    return v instanceof Date && !Number.isNaN(v.getTime()) ? calendarDateOf(v) : null;
  } catch {
    return null;
  }
}

/** Stores one photo for a cohort. Expected problems become a 'rejected' result, never a throw. */
export async function ingestPhoto(db: Db, store: PhotoStore, cohortId: string, fileName: string, data: Buffer, userId: string | null): Promise<IngestResult> {
  const name = path.posix.basename(fileName.replace(/\\/g, '/')).slice(0, 255) || 'unnamed';
  let check: ImageCheck;
  try {
    check = await checkImage(data);
  } catch (err) {
    if (err instanceof UserError) return { fileName: name, status: 'rejected', message: err.message };
    throw err;
  }
  const sha256 = crypto.createHash('sha256').update(data).digest('hex');
  const existing = await db.photo.findUnique({ where: { cohortId_sha256: { cohortId, sha256 } }, select: { id: true, sourceFileName: true } });
  if (existing) return { fileName: name, status: 'duplicate', photoId: existing.id, message: `identical to ${existing.sourceFileName} (same sha256)` };
  const stored = await store.put(data);
  const exif = await exifDate(data);
  return db.$transaction(async (tx) => {
    const again = await tx.photo.findUnique({ where: { cohortId_sha256: { cohortId, sha256 } }, select: { id: true, sourceFileName: true } });
    if (again) return { fileName: name, status: 'duplicate' as const, photoId: again.id, message: `identical to ${again.sourceFileName} (same sha256)` };
    const m = await matchOne(tx, cohortId, { sha256, fileName: name }, exif);
    const photo = await tx.photo.create({
      data: {
        cohortId, patientId: m.patientId, sha256, storageKey: stored.key, takenAt: m.takenAt, takenAtSource: m.takenAtSource,
        width: check.width, height: check.height, bytes: data.length, sourceFileName: name,
      },
    });
    await audit(tx, { userId, action: 'photo.upload', entityType: 'Photo', entityId: photo.id, details: { cohortId, matched: !!m.patientId, matchedBy: m.matchedBy, dateSource: m.takenAtSource, bytes: data.length } });
    return {
      fileName: name,
      status: 'stored' as const,
      photoId: photo.id,
      matched: !!m.patientId,
      message: m.patientId ? `matched by ${m.matchedBy}${m.takenAtSource ? `, date from ${m.takenAtSource}` : ', no date'}` : 'no matching patient (add it to the photo log or name the file <record id>_…)',
    };
  });
}

/** A zip entry name is safe when relative, without "..", drive letters or NUL. */
export function safeEntryName(name: string): boolean {
  if (name === '' || name.includes('\0')) return false;
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/') || /^[A-Za-z]:/.test(n)) return false;
  return !n.split('/').some((part) => part === '..');
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: true }, (err, zip) => (err || !zip ? reject(err ?? new Error('zip')) : resolve(zip))),
  );
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return reject(err ?? new Error('zip entry'));
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on('data', (c: Buffer) => {
        total += c.length;
        if (total > limit) {
          stream.destroy(new UserError('entry larger than the photo size limit'));
          return;
        }
        chunks.push(c);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

/** Ingests every image in a zip file on disk; hostile or unreadable entries are reported, not fatal. */
export async function ingestZip(db: Db, store: PhotoStore, cohortId: string, zipPath: string, userId: string | null, onEntry?: (r: IngestResult) => void): Promise<IngestResult[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipPath);
  } catch {
    throw new UserError('not a readable zip file');
  }
  if (zip.entryCount > PHOTO_LIMITS.maxZipEntries) {
    zip.close();
    throw new UserError(`the zip has ${zip.entryCount} entries (limit ${PHOTO_LIMITS.maxZipEntries})`);
  }
  const results: IngestResult[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      void (async () => {
        const raw = entry.fileName as unknown as Buffer;
        // Bit 11: UTF-8 names; otherwise CP437, which for ASCII names is the same.
        const name = (entry.generalPurposeBitFlag & 0x800) !== 0 ? raw.toString('utf8') : raw.toString('latin1');
        const isDir = name.endsWith('/') || name.endsWith('\\');
        let r: IngestResult | null = null;
        if (!safeEntryName(name)) r = { fileName: name.slice(0, 200), status: 'rejected', message: 'unsafe path in zip (absolute or containing "..") — refused' };
        else if (isDir || /(^|\/)(__MACOSX|\.DS_Store)/.test(name) || path.posix.basename(name).startsWith('._')) r = null;
        else if (!IMAGE_EXT.test(name)) r = { fileName: path.posix.basename(name), status: 'rejected', message: 'not an image file type' };
        else if (entry.uncompressedSize > PHOTO_LIMITS.maxBytes) r = { fileName: path.posix.basename(name), status: 'rejected', message: 'file larger than the photo size limit' };
        else {
          try {
            const data = await readEntry(zip, entry, PHOTO_LIMITS.maxBytes);
            r = await ingestPhoto(db, store, cohortId, name, data, userId);
          } catch (err) {
            if (err instanceof UserError) r = { fileName: path.posix.basename(name), status: 'rejected', message: err.message };
            else r = { fileName: path.posix.basename(name), status: 'rejected', message: 'unreadable zip entry (corrupt or unsupported compression)' };
          }
        }
        if (r) {
          results.push(r);
          onEntry?.(r);
        }
        zip.readEntry();
      })().catch(reject);
    });
    zip.readEntry();
  });
  return results;
}

/** Audits a finished batch upload (counts only). */
export async function auditUploadBatch(db: Db, cohortId: string, userId: string | null, results: IngestResult[], kind: 'file' | 'zip') {
  const count = (s: IngestResult['status']) => results.filter((r) => r.status === s).length;
  await audit(db, { userId, action: 'photo.upload_batch', entityType: 'Cohort', entityId: cohortId, details: { kind, stored: count('stored'), duplicate: count('duplicate'), rejected: count('rejected') } });
}

/** Streams a request body to a temporary file (size-limited). */
export async function bodyToTempFile(body: ReadableStream<Uint8Array>, limit: number): Promise<string> {
  const dir = path.join(env().dataDir, 'tmp');
  await fs.promises.mkdir(dir, { recursive: true });
  const file = path.join(dir, `upload-${process.pid}-${crypto.randomBytes(8).toString('hex')}`);
  const out = fs.createWriteStream(file, { flags: 'wx' });
  let total = 0;
  try {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) throw new UserError('upload larger than the limit');
      if (!out.write(value)) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return file;
  } catch (err) {
    out.destroy();
    await fs.promises.rm(file, { force: true });
    throw err;
  }
}

/** Reads a request body into memory with a size limit. */
export async function bodyToBuffer(body: ReadableStream<Uint8Array>, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new UserError('file larger than the photo size limit');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
