import crypto from 'node:crypto';
import { z } from 'zod';
import { payload, queues } from '~/workers/jobs.ts';
import { getBoss } from '../../jobs.ts';
import { authedProcedure, router } from '../trpc.ts';

export const systemRouter = router({
  /** Sends a job through pg-boss; a worker records `worker.selftest` in the audit trail. */
  selftest: authedProcedure.mutation(async ({ ctx }) => {
    const nonce = crypto.randomUUID();
    const boss = await getBoss();
    const jobId = await boss.send(queues.selftest.name, payload('selftest', { nonce, requestedBy: ctx.user.id }));
    return { nonce, jobId };
  }),
  audit: authedProcedure
    .input(z.object({ limit: z.number().int().min(1).max(500).default(100), action: z.string().optional() }))
    .query(({ ctx, input }) =>
      ctx.db.auditEvent.findMany({ where: input.action ? { action: input.action } : {}, orderBy: { at: 'desc' }, take: input.limit }),
    ),
});
