import sharp from 'sharp';
import { db } from '~/server/db/client.ts';
import { requireUser } from '~/server/http-auth.ts';
import { audit } from '~/server/services/audit.ts';
import { photoStore } from '~/server/services/photos.ts';

export const dynamic = 'force-dynamic';

/**
 * A cohort photo for review (coordinator/admin): ?size=N scales the longest side to N pixels;
 * ?crop=x,y,w,h returns that region (the detected face box). EXIF orientation applied. Audited.
 */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser(req, ['admin', 'coordinator']);
  if (user instanceof Response) return user;
  const { id } = await params;
  const database = db();
  const photo = await database.photo.findUnique({ where: { id }, select: { id: true, cohortId: true, storageKey: true, width: true, height: true } });
  if (!photo || photo.storageKey.startsWith('synthetic:')) return Response.json({ error: 'photo not found' }, { status: 404 });
  const url = new URL(req.url);
  const size = Math.min(2000, Math.max(32, Number(url.searchParams.get('size') ?? 800) || 800));
  let img = sharp(await photoStore().get(photo.storageKey), { limitInputPixels: 60_000_000 }).autoOrient();
  const crop = url.searchParams.get('crop')?.split(',').map(Number);
  if (crop && crop.length === 4 && crop.every(Number.isFinite)) {
    const left = Math.max(0, Math.round(crop[0]));
    const top = Math.max(0, Math.round(crop[1]));
    const width = Math.max(1, Math.min(photo.width - left, Math.round(crop[2])));
    const height = Math.max(1, Math.min(photo.height - top, Math.round(crop[3])));
    img = sharp(await img.toBuffer()).extract({ left, top, width, height });
  }
  const out = await img.resize(size, size, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer();
  await audit(database, { userId: user.id, action: 'photo.view', entityType: 'Photo', entityId: photo.id, details: { cohortId: photo.cohortId, crop: !!crop } });
  return new Response(new Uint8Array(out), { headers: { 'Content-Type': 'image/jpeg', 'Cache-Control': 'private, no-store' } });
}
