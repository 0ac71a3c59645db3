import { afterAll, describe, expect, it } from 'vitest';
import { stopBoss } from '~/server/jobs.ts';
import { startWorker, type RunningWorker } from '~/workers/worker.ts';
import { callerFor, makeUser, useTestDatabase } from '../helpers/context.ts';

describe('pg-boss worker', () => {
  let worker: RunningWorker | undefined;
  afterAll(async () => {
    await stopBoss();
    await worker?.stop();
  });

  it('works a job sent through pg-boss and persists its result', async () => {
    const db = useTestDatabase();
    worker = await startWorker(process.env.DATABASE_URL!);
    const admin = await makeUser('admin');
    const { nonce, jobId } = await callerFor(admin).system.selftest();
    expect(jobId).toBeTruthy();
    let event = null;
    for (let i = 0; i < 100 && !event; i++) {
      event = await db.auditEvent.findFirst({ where: { action: 'worker.selftest', entityId: nonce } });
      if (!event) await new Promise((r) => setTimeout(r, 100));
    }
    expect(event).not.toBeNull();
    expect(event!.userId).toBe(admin.id);
    expect((event!.details as { workerId: string }).workerId).toBe(worker.id);
  });
});
