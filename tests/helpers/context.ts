import crypto from 'node:crypto';
import { inject } from 'vitest';
import { appRouter } from '~/server/api/root.ts';
import { createCallerFactory, type Context } from '~/server/api/trpc.ts';
import { db } from '~/server/db/client.ts';
import { createUser, type SessionUser } from '~/server/services/auth.ts';
import type { Role } from '~/generated/prisma/client.ts';

/** Points the server code at the test run's database (started by tests/setup/global-db.ts). */
export function useTestDatabase() {
  process.env.DATABASE_URL ??= inject('databaseUrl');
  return db();
}

const createCaller = createCallerFactory(appRouter);

/** A tRPC caller that goes through the real middleware (access table, error mapping). */
export function callerFor(user: SessionUser | null) {
  const ctx: Context = { db: useTestDatabase(), user, sessionToken: undefined, resHeaders: new Headers(), cookieSecure: false, sessionTtlHours: 1 };
  return createCaller(ctx);
}

/** Creates a user with a unique e-mail for one test. */
export async function makeUser(role: Role, extra: { profession?: string } = {}): Promise<SessionUser & { password: string }> {
  const password = `pw-${crypto.randomBytes(8).toString('hex')}`;
  const user = await createUser(
    useTestDatabase(),
    { email: `${role}-${crypto.randomBytes(5).toString('hex')}@test.local`, name: `Test ${role}`, password, role, ...extra },
    null,
  );
  return { ...user, password };
}
