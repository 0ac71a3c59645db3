import { describe, expect, it } from 'vitest';
import { login, sessionUser } from '~/server/services/auth.ts';
import { callerFor, makeUser, useTestDatabase } from '../helpers/context.ts';

describe('password login and sessions', () => {
  it('logs in with the right password, audits failures, expires sessions', async () => {
    const db = useTestDatabase();
    const user = await makeUser('analyst');
    await expect(login(db, user.email, 'wrong-password', 1)).rejects.toThrow('wrong e-mail or password');
    const failed = await db.auditEvent.findFirst({ where: { action: 'auth.login_failed', userId: user.id } });
    expect(failed).not.toBeNull();

    const session = await login(db, user.email.toUpperCase(), user.password, 1);
    expect(await sessionUser(db, session.token)).toMatchObject({ id: user.id, role: 'analyst' });
    expect(await db.auditEvent.findFirst({ where: { action: 'auth.login', userId: user.id } })).not.toBeNull();

    // The stored session id is a hash, not the cookie value.
    expect(await db.session.findUnique({ where: { id: session.token } })).toBeNull();

    // An expired session resolves to nobody and is removed.
    const expired = await login(db, user.email, user.password, 1 / 3_600_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(await sessionUser(db, expired.token)).toBeNull();
    expect(await sessionUser(db, 'not-a-token')).toBeNull();
  });

  it('allows first-run admin creation only once', async () => {
    const caller = callerFor(null);
    const status = await caller.auth.status();
    if (status.needsSetup) {
      await caller.auth.setupAdmin({ email: 'first@test.local', name: 'First Admin', password: 'first-admin-pw' });
    }
    await expect(caller.auth.setupAdmin({ email: 'second@test.local', name: 'Second', password: 'second-admin-pw' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('rejects weak input with field-level messages', async () => {
    const admin = callerFor(await makeUser('admin'));
    await expect(admin.users.create({ email: 'not-an-email', name: 'x', password: 'short', role: 'rater' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
