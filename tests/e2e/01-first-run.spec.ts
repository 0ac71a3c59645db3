import { expect, test } from '@playwright/test';
import { ADMIN, signIn } from './helpers.ts';

test('first run: create the admin, sign in, create a study and a cohort', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup/);
  await expect(page.getByRole('heading', { name: /create the administrator account/i })).toBeVisible();
  await page.getByLabel('Full name').fill(ADMIN.name);
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel(/^Password/).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page).toHaveURL(/\/studies/);

  // sign out and back in with the new account
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill('wrong password!');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(/wrong e-mail or password/)).toBeVisible();
  await signIn(page);
  await expect(page.getByTestId('current-user')).toContainText('admin');

  await page.getByLabel('New study name').fill('Palliative RT cohort study');
  await page.getByRole('button', { name: 'Create study' }).click();
  const study = page.getByTestId('study').filter({ hasText: 'Palliative RT cohort study' });
  await expect(study).toBeVisible();
  await study.getByLabel('New cohort name').fill('Lung 2024');
  await study.getByRole('button', { name: 'Add cohort' }).click();
  await expect(study.getByRole('link', { name: 'Lung 2024' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/studies.png', fullPage: true });

  // setup is closed now
  await page.goto('/setup');
  await page.getByLabel('Full name').fill('Intruder');
  await page.getByLabel('E-mail').fill('intruder@e2e.local');
  await page.getByLabel(/^Password/).fill('intruder-password');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByText(/already set up/)).toBeVisible();
});

test('unauthenticated API calls are rejected', async ({ request }) => {
  const res = await request.get('/api/trpc/studies.list');
  expect(res.status()).toBe(401);
});
