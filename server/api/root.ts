import { analysisRouter } from './routers/analysis.ts';
import { authRouter } from './routers/auth.ts';
import { cohortsRouter, studiesRouter } from './routers/studies.ts';
import { surveyRouter } from './routers/survey.ts';
import { systemRouter } from './routers/system.ts';
import { usersRouter } from './routers/users.ts';
import { curationRouter, importsRouter, photosRouter, qaRouter, runsRouter } from './routers/cohort-workflow.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  studies: studiesRouter,
  cohorts: cohortsRouter,
  system: systemRouter,
  imports: importsRouter,
  photos: photosRouter,
  curation: curationRouter,
  runs: runsRouter,
  qa: qaRouter,
  survey: surveyRouter,
  analysis: analysisRouter,
});

export type AppRouter = typeof appRouter;
