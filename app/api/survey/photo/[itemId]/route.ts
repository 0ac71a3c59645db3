import sharp from 'sharp';
import { db } from '~/server/db/client.ts';
import { env } from '~/server/env.ts';
import { requireUser } from '~/server/http-auth.ts';
import { audit } from '~/server/services/audit.ts';
import { photoForRater } from '~/server/services/survey/rater.ts';
import { PhotoStore } from '~/server/storage/photo-store.ts';

export const dynamic = 'force-dynamic';

const HEADERS = { 'Cache-Control': 'private, no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Disposition': 'inline; filename="photo"' };

/** A neutral placeholder for synthetic demo patients (they have no photo file). */
function placeholder(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="400"><rect width="320" height="400" fill="#e9ecef"/><circle cx="160" cy="150" r="70" fill="#c5ccd4"/><rect x="70" y="240" width="180" height="120" rx="60" fill="#c5ccd4"/><text x="160" y="390" font-family="sans-serif" font-size="16" text-anchor="middle" fill="#5b6470">synthetic demo patient</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/**
 * The photo of one survey item, for a rater invited to that item's survey only. Identified by
 * the opaque item id; re-encoded so that no EXIF (dates, device, GPS) or file name leaves.
 */
export async function GET(req: Request, { params }: { params: Promise<{ itemId: string }> }) {
  const user = await requireUser(req, ['rater']);
  if (user instanceof Response) return user;
  const { itemId } = await params;
  const photo = /^[A-Za-z0-9_-]{10,64}$/.test(itemId) ? await photoForRater(db(), user.id, itemId) : null;
  // Same answer for "no such item" and "not your survey".
  if (!photo) return Response.json({ error: 'not found' }, { status: 404 });
  // A rater viewing a patient's photo is a PHI view: audited (item id only).
  await audit(db(), { userId: user.id, action: 'survey.photo_view', entityType: 'SurveyItem', entityId: itemId });
  if (photo.storageKey.startsWith('synthetic:')) return new Response(new Uint8Array(await placeholder()), { headers: { ...HEADERS, 'Content-Type': 'image/png' } });
  try {
    const raw = await new PhotoStore(env().photoStoreDir).get(photo.storageKey);
    const out = await sharp(raw, { failOn: 'none' }).rotate().resize({ width: 800, height: 800, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 88 }).toBuffer();
    return new Response(new Uint8Array(out), { headers: { ...HEADERS, 'Content-Type': 'image/jpeg' } });
  } catch {
    return Response.json({ error: 'photo unavailable' }, { status: 404 });
  }
}
