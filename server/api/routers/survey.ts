import { z } from 'zod';
import { answerSchema, mySurveys, raterView, saveAnswer, submitPart, submitSchema, viewSchema } from '../../services/survey/rater.ts';
import { surveyResults } from '../../services/survey/results.ts';
import { createSurvey, getSurvey, inviteRater, inviteSchema, listSurveys, newSurveySchema, setSurveyStatus, statusSchema, surveyOptions } from '../../services/survey/setup.ts';
import { audit } from '../../services/audit.ts';
import { authedProcedure, router } from '../trpc.ts';

const id = z.object({ id: z.string().min(1) });

/** Human-vs-FaceAge survey. Who may call what: server/api/access.ts ('survey.*'). */
export const surveyRouter = router({
  // coordinator: setup
  options: authedProcedure.input(z.object({ cohortId: z.string().min(1) })).query(({ ctx, input }) => surveyOptions(ctx.db, input.cohortId)),
  create: authedProcedure.input(newSurveySchema).mutation(({ ctx, input }) => createSurvey(ctx.db, input, ctx.user.id)),
  invite: authedProcedure.input(inviteSchema).mutation(({ ctx, input }) => inviteRater(ctx.db, input, ctx.user.id)),
  setStatus: authedProcedure.input(statusSchema).mutation(({ ctx, input }) => setSurveyStatus(ctx.db, input, ctx.user.id)),
  list: authedProcedure.input(z.object({ cohortId: z.string().optional() }).optional()).query(({ ctx, input }) => listSurveys(ctx.db, input?.cohortId)),
  get: authedProcedure.input(id).query(({ ctx, input }) => getSurvey(ctx.db, input.id)),
  // analyst: results
  results: authedProcedure
    .input(z.object({ id: z.string().min(1), bootstrap: z.number().int().min(0).max(5000).optional() }))
    .query(async ({ ctx, input }) => {
      const res = await surveyResults(ctx.db, input.id, { bootstrap: input.bootstrap });
      await audit(ctx.db, { userId: ctx.user.id, action: 'survey.results', entityType: 'Survey', entityId: input.id });
      return res;
    }),
  // rater: entry (only the rater's own invitations; see services/survey/rater.ts)
  mine: authedProcedure.query(({ ctx }) => mySurveys(ctx.db, ctx.user.id)),
  view: authedProcedure.input(viewSchema).query(({ ctx, input }) => raterView(ctx.db, ctx.user.id, input)),
  save: authedProcedure.input(answerSchema).mutation(({ ctx, input }) => saveAnswer(ctx.db, ctx.user.id, input)),
  submitPart: authedProcedure.input(submitSchema).mutation(({ ctx, input }) => submitPart(ctx.db, ctx.user.id, input)),
});
