import { db } from '~/server/db/client.ts';
import { requireUser } from '~/server/http-auth.ts';
import { UserError } from '~/server/services/errors.ts';
import { answersCsv, resultsCsv } from '~/server/services/survey/export.ts';

export const dynamic = 'force-dynamic';

/** CSV downloads for analysts: ?kind=answers (merged, patient × rater × part) or ?kind=results. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser(req, ['admin', 'analyst']);
  if (user instanceof Response) return user;
  const { id } = await params;
  const kind = new URL(req.url).searchParams.get('kind') ?? 'answers';
  if (kind !== 'answers' && kind !== 'results') return Response.json({ error: 'kind must be answers or results' }, { status: 400 });
  try {
    const csv = kind === 'answers' ? await answersCsv(db(), id, user.id) : await resultsCsv(db(), id, user.id);
    return new Response(csv, {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="survey-${id}-${kind}.csv"`,
        'Cache-Control': 'private, no-store',
      },
    });
  } catch (err) {
    if (err instanceof UserError) return Response.json({ error: err.message }, { status: err.code === 'NOT_FOUND' ? 404 : 400 });
    throw err;
  }
}
