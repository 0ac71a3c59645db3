import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { POST as uploadRoute } from '~/app/api/cohorts/[id]/photos/route.ts';
import { login, SESSION_COOKIE } from '~/server/services/auth.ts';
import { ingestPhoto, ingestZip, safeEntryName } from '~/server/services/photos.ts';
import { PhotoStore } from '~/server/storage/photo-store.ts';
import { makeUser, useTestDatabase } from '../helpers/context.ts';
import { coordinatorCohort } from '../helpers/cohort.ts';
import { makeZip } from '../helpers/zip.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'faceage-photos-'));
process.env.PHOTO_STORE_DIR = path.join(tmp, 'store');
process.env.FACEAGE_DATA_DIR = tmp;
const store = new PhotoStore(path.join(tmp, 'store'));

function jpeg(colour: string, exifDate?: string) {
  let img = sharp({ create: { width: 80, height: 60, channels: 3, background: colour } }).jpeg();
  if (exifDate) img = img.withExif({ IFD2: { DateTimeOriginal: exifDate } });
  return img.toBuffer();
}

/** A PNG whose header claims 50000×50000 pixels (a decompression bomb): only the header is real. */
function bombPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(50_000, 0);
  ihdr.writeUInt32BE(50_000, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]);
}

describe('photo ingestion', () => {
  it('matches by photo log (sha256 / file name) or file-name rule, dates from the log else EXIF, detects duplicates', async () => {
    const db = useTestDatabase();
    const { caller, cohort, user } = await coordinatorCohort();
    await caller.imports.commitClinical({
      cohortId: cohort.id, csvText: 'record_id,dob\nP1,1950-01-01\nP2,1960-01-01\nP3,1970-01-01\n',
      mapping: { core: { recordId: 'record_id', dateOfBirth: 'dob' }, covariates: [] }, dateFormat: 'iso', mode: 'all',
    });
    const a = await jpeg('#aa0000', '2020:01:05 10:00:00');
    const b = await jpeg('#00aa00', '2020:02:06 10:00:00');
    const c = await jpeg('#0000aa', '2020:03:07 23:59:59');
    const { createHash } = await import('node:crypto');
    const shaB = createHash('sha256').update(b).digest('hex');
    // photo log: a by file name (with a date, overriding EXIF), b by sha256 (no date → EXIF), a bad row
    const log = `photo_id,record_id,photo_date\nimg_a.jpg,P1,01/10/2020\n${shaB},P2,\nmissing.jpg,NOPE,01/01/2020\n`;
    const preview = await caller.imports.photoLog({ cohortId: cohort.id, csvText: log });
    expect(preview.problems).toEqual([expect.objectContaining({ line: 4, column: 'record_id', kind: 'unknown_category' })]);
    await expect(caller.imports.photoLog({ cohortId: cohort.id, csvText: log, mode: 'all' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await db.photoLogEntry.count({ where: { cohortId: cohort.id } })).toBe(0);
    await caller.imports.photoLog({ cohortId: cohort.id, csvText: log, mode: 'valid' });

    const ra = await ingestPhoto(db, store, cohort.id, 'img_a.jpg', a, user.id);
    const rb = await ingestPhoto(db, store, cohort.id, 'whatever.jpg', b, user.id);
    const rc = await ingestPhoto(db, store, cohort.id, 'P3_visit1.jpg', c, user.id);
    const rn = await ingestPhoto(db, store, cohort.id, 'unknown_person.jpg', await jpeg('#123456'), user.id);
    const dup = await ingestPhoto(db, store, cohort.id, 'copy.jpg', a, user.id);
    expect([ra.status, rb.status, rc.status, rn.status, dup.status]).toEqual(['stored', 'stored', 'stored', 'stored', 'duplicate']);
    const get = async (id: string) => db.photo.findUniqueOrThrow({ where: { id }, include: { patient: true } });
    expect(await get(ra.photoId!)).toMatchObject({ patient: { recordId: 'P1' }, takenAt: new Date('2020-01-10T00:00:00Z'), takenAtSource: 'log', width: 80, height: 60 });
    expect(await get(rb.photoId!)).toMatchObject({ patient: { recordId: 'P2' }, takenAt: new Date('2020-02-06T00:00:00Z'), takenAtSource: 'exif' });
    expect(await get(rc.photoId!)).toMatchObject({ patient: { recordId: 'P3' }, takenAt: new Date('2020-03-07T00:00:00Z'), takenAtSource: 'exif' });
    expect((await get(rn.photoId!)).patientId).toBeNull();
    expect(await store.has((await get(ra.photoId!)).storageKey)).toBe(true);
    expect(await db.photo.count({ where: { cohortId: cohort.id } })).toBe(4);
  });

  it('refuses corrupt files, decompression bombs and non-images without writing anything', async () => {
    const db = useTestDatabase();
    const { cohort, user } = await coordinatorCohort();
    const good = await jpeg('#445566');
    const cases: [string, Buffer, RegExp][] = [
      ['truncated.jpg', good.subarray(0, Math.floor(good.length / 2)), /truncated or corrupt|corrupt format/],
      ['bomb.png', bombPng(), /exceeds the 60 MP limit/],
      ['notes.jpg', Buffer.from('hello, not an image'), /not a readable image/],
      ['empty.jpg', Buffer.alloc(0), /empty file/],
    ];
    for (const [name, data, message] of cases) {
      const r = await ingestPhoto(db, store, cohort.id, name, data, user.id);
      expect(r, name).toMatchObject({ status: 'rejected', message: expect.stringMatching(message) });
    }
    expect(await db.photo.count({ where: { cohortId: cohort.id } })).toBe(0);
  });

  it('zip: hostile paths refused, a corrupt image fails only that entry', async () => {
    const db = useTestDatabase();
    const { cohort, user } = await coordinatorCohort();
    expect(safeEntryName('../evil.jpg')).toBe(false);
    expect(safeEntryName('a/../../evil.jpg')).toBe(false);
    expect(safeEntryName('/etc/passwd')).toBe(false);
    expect(safeEntryName('C:\\evil.jpg')).toBe(false);
    expect(safeEntryName('photos/ok.jpg')).toBe(true);
    const good1 = await jpeg('#010203');
    const good2 = await jpeg('#030201');
    const zip = makeZip([
      { name: 'photos/', data: Buffer.alloc(0) },
      { name: 'photos/one.jpg', data: good1 },
      { name: '../escape.jpg', data: good2 },
      { name: '/abs/path.jpg', data: good2 },
      { name: 'photos/broken.jpg', data: good1.subarray(0, 200) },
      { name: 'photos/readme.txt', data: Buffer.from('x') },
      { name: '__MACOSX/photos/._one.jpg', data: Buffer.from('junk') },
      { name: 'photos/two.jpg', data: good2 },
    ]);
    const file = path.join(tmp, 'upload.zip');
    fs.writeFileSync(file, zip);
    const results = await ingestZip(db, store, cohort.id, file, user.id);
    const by = Object.fromEntries(results.map((r) => [r.fileName, r]));
    expect(results.map((r) => r.status)).toEqual(['stored', 'rejected', 'rejected', 'rejected', 'rejected', 'stored']);
    expect(by['../escape.jpg'].message).toMatch(/unsafe path/);
    expect(by['/abs/path.jpg'].message).toMatch(/unsafe path/);
    expect(by['broken.jpg'].message).toMatch(/truncated or corrupt|not a readable/);
    expect(by['readme.txt'].message).toMatch(/not an image/);
    expect(await db.photo.count({ where: { cohortId: cohort.id } })).toBe(2);
    expect(fs.existsSync(path.join(tmp, 'escape.jpg'))).toBe(false);
    fs.writeFileSync(file, Buffer.from('PK not really a zip'));
    await expect(ingestZip(db, store, cohort.id, file, user.id)).rejects.toThrow(/not a readable zip/);
  });

  it('upload route: streamed single photos and zips for coordinators only, audited per batch', async () => {
    const db = useTestDatabase();
    const { cohort, user } = await coordinatorCohort();
    const cookieFor = async (u: { email: string; password: string }) => `${SESSION_COOKIE}=${(await login(db, u.email, u.password, 1)).token}`;
    const coordinator = await cookieFor(user as never);
    const params = { params: Promise.resolve({ id: cohort.id }) };
    const post = (cookie: string | null, name: string, body: Buffer) =>
      uploadRoute(new Request(`http://localhost/api/cohorts/${cohort.id}/photos`, { method: 'POST', body: new Uint8Array(body), headers: { ...(cookie ? { cookie } : {}), 'x-file-name': encodeURIComponent(name) } }), params);
    const img = await jpeg('#778899');
    expect((await post(null, 'a.jpg', img)).status).toBe(401);
    expect((await post(await cookieFor(await makeUser('analyst')), 'a.jpg', img)).status).toBe(403);
    const one = await (await post(coordinator, 'ünïcode name.jpg', img)).json();
    expect(one.results).toEqual([expect.objectContaining({ fileName: 'ünïcode name.jpg', status: 'stored' })]);
    const zipRes = await (await post(coordinator, 'batch.zip', makeZip([{ name: 'x/dup.jpg', data: img }, { name: 'x/new.jpg', data: await jpeg('#998877') }, { name: '../bad.jpg', data: img }]))).json();
    expect(zipRes.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'stored', 'rejected']);
    expect(await db.photo.count({ where: { cohortId: cohort.id } })).toBe(2);
    const batch = await db.auditEvent.findFirstOrThrow({ where: { action: 'photo.upload_batch', entityId: cohort.id } });
    expect(batch.details).toEqual({ kind: 'zip', stored: 1, duplicate: 1, rejected: 1 });
    expect(fs.readdirSync(path.join(tmp, 'tmp'))).toEqual([]); // the streamed zip was removed
  });
});
