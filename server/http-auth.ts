import type { Role } from '~/generated/prisma/client.ts';
import { db } from './db/client.ts';
import { readCookie, SESSION_COOKIE, sessionUser, type SessionUser } from './services/auth.ts';

/**
 * Session and role check for plain route handlers (file downloads, photo bytes, uploads),
 * which do not pass through tRPC. Returns the user, or a 401/403 Response to return as is.
 */
export async function requireUser(req: Request, roles: readonly Role[]): Promise<SessionUser | Response> {
  const user = await sessionUser(db(), readCookie(req.headers.get('cookie'), SESSION_COOKIE));
  if (!user) return Response.json({ error: 'sign in first' }, { status: 401 });
  if (!roles.includes(user.role)) return Response.json({ error: 'your role may not do this' }, { status: 403 });
  return user;
}
