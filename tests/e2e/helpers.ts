import { expect, type APIRequestContext, type Page } from '@playwright/test';

export const ADMIN = { name: 'E2E Admin', email: 'admin@e2e.local', password: 'e2e-admin-password' };

/** Signs in through the login page (creating the admin through first-run setup if needed). */
export async function signIn(page: Page, user: { email: string; password: string } = ADMIN) {
  await page.goto('/');
  await page.waitForURL(/\/(setup|login|studies|survey)/);
  if (page.url().includes('/setup')) {
    await page.getByLabel('Full name').fill(ADMIN.name);
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.waitForURL(/\/studies/);
    if (user.email === ADMIN.email) return;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
  }
  if (!page.url().includes('/login')) {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
  }
  await page.getByLabel('E-mail').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/(studies|survey)/);
}

/** Calls a tRPC procedure over HTTP as the request context's signed-in user. */
export async function trpc<T = unknown>(request: APIRequestContext, path: string, input?: unknown, method: 'query' | 'mutation' = 'mutation'): Promise<T> {
  const res =
    method === 'query'
      ? await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input ?? null }))}`)
      : await request.post(`/api/trpc/${path}`, { data: { json: input ?? null } });
  const body = await res.json();
  expect(res.ok(), JSON.stringify(body)).toBe(true);
  return body.result.data.json as T;
}

/** Creates a user as the admin (through the API) and returns its credentials. */
export async function createUser(request: APIRequestContext, role: 'coordinator' | 'analyst' | 'rater' | 'admin', extra: { profession?: string } = {}) {
  const suffix = Math.random().toString(36).slice(2, 8);
  const user = { name: `E2E ${role} ${suffix}`, email: `${role}-${suffix}@e2e.local`, password: `pw-${suffix}-e2e-pass`, role, ...extra };
  await request.post('/api/trpc/auth.login', { data: { json: { email: ADMIN.email, password: ADMIN.password } } });
  await trpc(request, 'users.create', user);
  return user;
}
