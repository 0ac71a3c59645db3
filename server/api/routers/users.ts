import { createUser, newUserSchema } from '../../services/auth.ts';
import { authedProcedure, router } from '../trpc.ts';

export const usersRouter = router({
  list: authedProcedure.query(({ ctx }) =>
    ctx.db.user.findMany({ select: { id: true, email: true, name: true, role: true, profession: true, active: true, createdAt: true }, orderBy: { createdAt: 'asc' } }),
  ),
  create: authedProcedure.input(newUserSchema).mutation(({ ctx, input }) => createUser(ctx.db, input, ctx.user.id)),
});
