import { describe, expect, it } from 'vitest';
import { accessTable } from '~/server/api/access.ts';
import { appRouter } from '~/server/api/root.ts';
import { callerFor, makeUser } from '../helpers/context.ts';

describe('central access table', () => {
  it('lists every procedure of the router, and nothing else', () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    expect(Object.keys(accessTable).sort()).toEqual(procedures);
  });

  it('rejects unauthenticated calls to protected procedures', async () => {
    const anonymous = callerFor(null);
    await expect(anonymous.studies.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(anonymous.users.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(anonymous.auth.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    // public procedures still answer
    await expect(anonymous.auth.status()).resolves.toHaveProperty('needsSetup');
  });

  it('rejects a rater calling coordinator and admin procedures, and changes nothing', async () => {
    const rater = await makeUser('rater');
    const caller = callerFor(rater);
    await expect(caller.studies.create({ name: 'should not exist' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller.studies.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller.users.create({ email: 'x@y.z', name: 'x', password: '0123456789', role: 'admin' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const admin = await makeUser('admin');
    const names = (await callerFor(admin).studies.list()).map((s) => s.name);
    expect(names).not.toContain('should not exist');
  });

  it('lets a coordinator create studies and cohorts, audited', async () => {
    const coordinator = await makeUser('coordinator');
    const caller = callerFor(coordinator);
    const study = await caller.studies.create({ name: `Study ${Date.now()}` });
    const cohort = await caller.cohorts.create({ studyId: study.id, name: 'Lung palliative' });
    await expect(caller.cohorts.create({ studyId: study.id, name: 'Lung palliative' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const admin = callerFor(await makeUser('admin'));
    const events = await admin.system.audit({ limit: 50 });
    expect(events.some((e) => e.action === 'cohort.create' && e.entityId === cohort.id && e.userId === coordinator.id)).toBe(true);
    expect(events.some((e) => e.action === 'study.create' && e.entityId === study.id)).toBe(true);
  });
});
