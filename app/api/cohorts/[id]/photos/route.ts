import fs from 'node:fs/promises';
import { db } from '~/server/db/client.ts';
import { requireUser } from '~/server/http-auth.ts';
import { UserError } from '~/server/services/errors.ts';
import { auditUploadBatch, bodyToBuffer, bodyToTempFile, ingestPhoto, ingestZip, PHOTO_LIMITS, photoStore } from '~/server/services/photos.ts';

export const dynamic = 'force-dynamic';

/**
 * Photo upload: the body is one file, streamed (a photo, or a .zip of photos streamed to a
 * temporary file and read entry by entry). The file name travels in the X-File-Name header
 * (URI-encoded). The browser sends many files one request each, with a progress bar.
 */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser(req, ['admin', 'coordinator']);
  if (user instanceof Response) return user;
  const { id: cohortId } = await params;
  const database = db();
  if (!(await database.cohort.findUnique({ where: { id: cohortId }, select: { id: true } }))) return Response.json({ error: 'cohort not found' }, { status: 404 });
  if (!req.body) return Response.json({ error: 'empty upload' }, { status: 400 });
  let fileName = 'upload';
  try {
    fileName = decodeURIComponent(req.headers.get('x-file-name') ?? 'upload');
  } catch {
    return Response.json({ error: 'bad X-File-Name header' }, { status: 400 });
  }
  const isZip = /\.zip$/i.test(fileName) || (req.headers.get('content-type') ?? '').includes('zip');
  const store = photoStore();
  try {
    if (isZip) {
      const tmp = await bodyToTempFile(req.body, PHOTO_LIMITS.maxZipBytes);
      try {
        const results = await ingestZip(database, store, cohortId, tmp, user.id);
        await auditUploadBatch(database, cohortId, user.id, results, 'zip');
        return Response.json({ results });
      } finally {
        await fs.rm(tmp, { force: true });
      }
    }
    const data = await bodyToBuffer(req.body, PHOTO_LIMITS.maxBytes);
    const result = await ingestPhoto(database, store, cohortId, fileName, data, user.id);
    return Response.json({ results: [result] });
  } catch (err) {
    if (err instanceof UserError) return Response.json({ error: err.message, results: [{ fileName, status: 'rejected', message: err.message }] }, { status: 400 });
    process.stderr.write(`[upload] failed for cohort ${cohortId}: ${(err as Error).message}\n`);
    return Response.json({ error: 'upload failed' }, { status: 500 });
  }
}
