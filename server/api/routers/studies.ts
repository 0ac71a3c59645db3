import { z } from 'zod';
import { createCohort, createStudy, getCohort, listStudies, newCohortSchema, newStudySchema } from '../../services/studies.ts';
import { authedProcedure, router } from '../trpc.ts';

export const studiesRouter = router({
  list: authedProcedure.query(({ ctx }) => listStudies(ctx.db)),
  create: authedProcedure.input(newStudySchema).mutation(({ ctx, input }) => createStudy(ctx.db, input, ctx.user.id)),
});

export const cohortsRouter = router({
  list: authedProcedure.input(z.object({ studyId: z.string() })).query(({ ctx, input }) =>
    ctx.db.cohort.findMany({ where: { studyId: input.studyId }, orderBy: { createdAt: 'asc' } }),
  ),
  get: authedProcedure.input(z.object({ id: z.string() })).query(({ ctx, input }) => getCohort(ctx.db, input.id)),
  create: authedProcedure.input(newCohortSchema).mutation(({ ctx, input }) => createCohort(ctx.db, input, ctx.user.id)),
});
