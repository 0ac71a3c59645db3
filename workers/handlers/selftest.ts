import type { Db } from '~/server/db/client.ts';
import { audit } from '~/server/services/audit.ts';
import { queues, type Payload } from '../jobs.ts';

/** Proves the job path end to end: payload in, a row persisted by the worker. */
export async function handleSelftest(db: Db, data: unknown, workerId: string): Promise<{ ok: true; workerId: string }> {
  const job: Payload<'selftest'> = queues.selftest.schema.parse(data);
  await audit(db, { userId: job.requestedBy, action: 'worker.selftest', entityType: 'Job', entityId: job.nonce, details: { workerId } });
  return { ok: true, workerId };
}
