import { db } from '~/server/db/client.ts';
import { requireUser } from '~/server/http-auth.ts';
import { UserError } from '~/server/services/errors.ts';
import { EXPORT_KINDS, exportCohort, type ExportKind } from '~/server/services/exports.ts';

export const dynamic = 'force-dynamic';

/** CSV exports (audited): ?kind=analysis|paper|predictions|consort[&ageModelId=…]. Coordinator, analyst and admin only. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser(req, ['admin', 'coordinator', 'analyst']);
  if (user instanceof Response) return user;
  const { id } = await params;
  const url = new URL(req.url);
  const kind = (url.searchParams.get('kind') ?? 'analysis') as ExportKind;
  if (!EXPORT_KINDS.includes(kind)) return Response.json({ error: `kind must be one of ${EXPORT_KINDS.join(', ')}` }, { status: 400 });
  try {
    const out = await exportCohort(db(), id, kind, user.id, { ageModelId: url.searchParams.get('ageModelId') ?? undefined });
    return new Response(out.csv, {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${out.filename}"`,
        'Cache-Control': 'no-store',
      },
    });
  } catch (err) {
    if (err instanceof UserError) return Response.json({ error: err.message }, { status: err.code === 'NOT_FOUND' ? 404 : 400 });
    throw err;
  }
}
