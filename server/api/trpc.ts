import { initTRPC, TRPCError } from '@trpc/server';
import superjson from 'superjson';
import { ZodError } from 'zod';
import { db, type Db } from '../db/client.ts';
import { env } from '../env.ts';
import { readCookie, SESSION_COOKIE, sessionUser, type SessionUser } from '../services/auth.ts';
import { UserError } from '../services/errors.ts';
import { accessTable, allowed } from './access.ts';

export interface Context {
  db: Db;
  user: SessionUser | null;
  sessionToken: string | undefined;
  resHeaders: Headers;
  cookieSecure: boolean;
  sessionTtlHours: number;
}

export async function createContext(opts: { req: Request; resHeaders: Headers }): Promise<Context> {
  const token = readCookie(opts.req.headers.get('cookie'), SESSION_COOKIE);
  const database = db();
  const config = env();
  return {
    db: database,
    user: await sessionUser(database, token),
    sessionToken: token,
    resHeaders: opts.resHeaders,
    cookieSecure: config.COOKIE_SECURE,
    sessionTtlHours: config.SESSION_TTL_HOURS,
  };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        // Field-level validation errors for forms; never a stack trace.
        zodIssues: error.cause instanceof ZodError ? error.cause.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) : null,
        stack: undefined,
      },
    };
  },
});

/** Turns expected service errors into tRPC errors with their message; hides everything else. */
const errorMapping = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof UserError) throw new TRPCError({ code: cause.code, message: cause.message, cause });
    if (cause instanceof ZodError) throw new TRPCError({ code: 'BAD_REQUEST', message: cause.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '), cause });
  }
  return result;
});

/** Central role check: looks the procedure's path up in the access table (deny by default). */
const enforceAccess = t.middleware(({ ctx, path, next }) => {
  const access = accessTable[path];
  if (access !== 'public' && !ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  if (!allowed(access, ctx.user?.role ?? null)) throw new TRPCError({ code: 'FORBIDDEN', message: 'your role may not do this' });
  return next({ ctx });
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** The only procedure builder: every procedure passes the access table. */
export const procedure = t.procedure.use(errorMapping).use(enforceAccess);

/** For procedures whose access entry requires a session: narrows ctx.user to non-null. */
export const authedProcedure = procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});
