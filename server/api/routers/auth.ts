import { z } from 'zod';
import { clearSessionCookie, createFirstAdmin, login, logout, needsSetup, newUserSchema, sessionCookie } from '../../services/auth.ts';
import { authedProcedure, procedure, router } from '../trpc.ts';

export const authRouter = router({
  status: procedure.query(async ({ ctx }) => ({ needsSetup: await needsSetup(ctx.db), user: ctx.user })),
  setupAdmin: procedure
    .input(newUserSchema.omit({ role: true, profession: true }))
    .mutation(async ({ ctx, input }) => {
      const user = await createFirstAdmin(ctx.db, input);
      const session = await login(ctx.db, input.email, input.password, ctx.sessionTtlHours);
      ctx.resHeaders.append('Set-Cookie', sessionCookie(session.token, session.expiresAt, ctx.cookieSecure));
      return user;
    }),
  login: procedure
    .input(z.object({ email: z.string().min(1), password: z.string().min(1) }))
    .mutation(async ({ ctx, input }) => {
      const session = await login(ctx.db, input.email, input.password, ctx.sessionTtlHours);
      ctx.resHeaders.append('Set-Cookie', sessionCookie(session.token, session.expiresAt, ctx.cookieSecure));
      return session.user;
    }),
  logout: authedProcedure.mutation(async ({ ctx }) => {
    if (ctx.sessionToken) await logout(ctx.db, ctx.sessionToken, ctx.user.id);
    ctx.resHeaders.append('Set-Cookie', clearSessionCookie());
    return { ok: true };
  }),
  me: authedProcedure.query(({ ctx }) => ctx.user),
});
