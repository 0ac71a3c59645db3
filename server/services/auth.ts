import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import type { Role, User } from '~/generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
import { audit } from './audit.ts';
import { UserError } from './errors.ts';

export const roles = ['admin', 'coordinator', 'analyst', 'rater'] as const satisfies readonly Role[];

export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().email('a valid e-mail address is required'),
  name: z.string().trim().min(1, 'name is required').max(200),
  password: z.string().min(10, 'password must have at least 10 characters').max(200),
  role: z.enum(roles),
  profession: z.string().trim().max(100).optional(),
});
export type NewUser = z.infer<typeof newUserSchema>;

export type SessionUser = Pick<User, 'id' | 'email' | 'name' | 'role' | 'profession'>;

export const SESSION_COOKIE = 'faceage_session';

/** argon2id with the library's defaults (OWASP-recommended memory-hard parameters). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

function tokenId(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export async function needsSetup(db: Db): Promise<boolean> {
  return (await db.user.count()) === 0;
}

export async function createUser(db: Db, input: NewUser, actorId: string | null): Promise<SessionUser> {
  const data = newUserSchema.parse(input);
  const passwordHash = await hashPassword(data.password);
  return db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: data.email } })) throw new UserError(`a user with e-mail ${data.email} already exists`, 'CONFLICT');
    const user = await tx.user.create({
      data: { email: data.email, name: data.name, role: data.role, profession: data.profession, passwordHash },
      select: { id: true, email: true, name: true, role: true, profession: true },
    });
    await audit(tx, { userId: actorId, action: 'user.create', entityType: 'User', entityId: user.id, details: { role: user.role } });
    return user;
  });
}

/** First-run setup: creates the admin account only while no user exists. */
export async function createFirstAdmin(db: Db, input: Omit<NewUser, 'role'>): Promise<SessionUser> {
  const data = newUserSchema.parse({ ...input, role: 'admin' });
  const passwordHash = await hashPassword(data.password);
  return db.$transaction(async (tx) => {
    // Serialise concurrent first-run requests: only one may create the first admin.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(4242001)`;
    if ((await tx.user.count()) > 0) throw new UserError('the platform is already set up; sign in instead', 'CONFLICT');
    const user = await tx.user.create({
      data: { email: data.email, name: data.name, role: 'admin', passwordHash },
      select: { id: true, email: true, name: true, role: true, profession: true },
    });
    await audit(tx, { userId: user.id, action: 'user.create', entityType: 'User', entityId: user.id, details: { role: 'admin', firstRun: true } });
    return user;
  });
}

export async function login(db: Db, email: string, password: string, ttlHours: number): Promise<{ token: string; expiresAt: Date; user: SessionUser }> {
  const normalised = email.trim().toLowerCase();
  const user = await db.user.findUnique({ where: { email: normalised } });
  const ok = user?.active ? await verify(user.passwordHash, password).catch(() => false) : false;
  if (!user || !ok) {
    // The attempted e-mail is an identifier, not clinical data; keep it for intrusion review.
    await audit(db, { userId: user?.id ?? null, action: 'auth.login_failed', details: { email: normalised } });
    throw new UserError('wrong e-mail or password', 'UNAUTHORIZED');
  }
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await db.$transaction(async (tx) => {
    await tx.session.create({ data: { id: tokenId(token), userId: user.id, expiresAt } });
    await audit(tx, { userId: user.id, action: 'auth.login', entityType: 'User', entityId: user.id });
  });
  return { token, expiresAt, user: { id: user.id, email: user.email, name: user.name, role: user.role, profession: user.profession } };
}

export async function logout(db: Db, token: string, userId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.session.deleteMany({ where: { id: tokenId(token) } });
    await audit(tx, { userId, action: 'auth.logout', entityType: 'User', entityId: userId });
  });
}

/** Resolves a session cookie to its user; expired sessions are deleted. */
export async function sessionUser(db: Db, token: string | undefined): Promise<SessionUser | null> {
  if (!token) return null;
  const session = await db.session.findUnique({
    where: { id: tokenId(token) },
    include: { user: { select: { id: true, email: true, name: true, role: true, profession: true, active: true } } },
  });
  if (!session) return null;
  if (session.expiresAt <= new Date() || !session.user.active) {
    await db.session.deleteMany({ where: { id: session.id } });
    return null;
  }
  const { active: _active, ...user } = session.user;
  return user;
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Expires=${expiresAt.toUTCString()}`];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
