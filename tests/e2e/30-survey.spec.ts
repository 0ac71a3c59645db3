import { expect, test, type Browser, type Page } from '@playwright/test';
import { ADMIN, createUser, signIn, trpc } from './helpers.ts';

/**
 * Issue 8 bar: a coordinator sets up a three-part survey on a cohort, two raters complete it in
 * the browser, an analyst sees per-rater and pooled AUC / C-index beside FaceAge's with paired
 * tests and downloads the merged CSV; the rater's session reaches no clinical data.
 * Data: the synthetic demo cohort (admin API), whose patients have placeholder photos.
 */
const SIZE = 4;

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  return page;
}

async function ratePart(page: Page, part: number, rater: number) {
  await expect(page.getByRole('heading', { name: new RegExp(`^Part ${part}`) })).toBeVisible();
  for (let i = 0; i < SIZE; i++) {
    await expect(page.getByTestId('progress')).toContainText(`Patient ${i + 1} of ${SIZE}`);
    const img = page.getByRole('img', { name: `Patient ${i + 1}` });
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
    if (part >= 2) await expect(page.getByRole('table', { name: 'Clinical information' })).toContainText('ECOG');
    else await expect(page.getByRole('table', { name: 'Clinical information' })).toHaveCount(0);
    if (part === 3) await expect(page.getByTestId('model-prediction')).toContainText('%');
    else await expect(page.getByTestId('model-prediction')).toHaveCount(0);
    const age = page.getByLabel('Estimated age (years)');
    if (await age.count()) await age.fill(String(55 + 7 * i + rater));
    // keyboard: Y / N outside the text fields
    await page.getByRole('radio', { name: i % 2 ? 'No' : 'Yes' }).focus();
    await page.keyboard.press(i % 2 ? 'n' : 'y');
    await page.getByLabel('Probability of surviving 6 months (%)').fill(String(i % 2 ? 20 + rater * 5 : 70 + i * 5));
    await page.getByLabel('Probability of surviving 6 months (%)').press('Enter');
    if (i === SIZE - 1) await expect(page.getByTestId('save-state')).toHaveText('saved');
  }
  await expect(page.getByText(`All ${SIZE} patients answered`)).toBeVisible();
  await page.getByRole('button', { name: `Submit part ${part}` }).click();
}

test('survey: coordinator setup, two raters in the browser, analyst comparison and CSV', async ({ browser, request }) => {
  test.setTimeout(240_000);
  const admin = await newPage(browser);
  await signIn(admin);
  await request.post('/api/trpc/auth.login', { data: { json: { email: ADMIN.email, password: ADMIN.password } } });
  const demo = await trpc<{ cohortId: string; name: string }>(request, 'analysis.createDemo', { patients: 120, seed: 808 });
  const coordinator = await createUser(request, 'coordinator');
  const analyst = await createUser(request, 'analyst');
  const raters = [await createUser(request, 'rater', { profession: 'oncologist' }), await createUser(request, 'rater', { profession: 'nurse' })];

  // coordinator: a three-part survey (part-3 model trained on the same demo cohort)
  const coord = await newPage(browser);
  await signIn(coord, coordinator);
  await coord.goto(`/survey/new?cohort=${demo.cohortId}`);
  await expect(coord.getByTestId('eligible')).toContainText('eligible patients');
  await coord.getByLabel('Survey name').fill('E2E three-part survey');
  await coord.getByLabel('Sample size').fill(String(SIZE));
  await coord.getByLabel(/^Seed/).fill('2024');
  // stratified by the 6-month outcome so both outcomes are in the sample
  await coord.getByRole('radio', { name: 'Stratified' }).check();
  await expect(coord.getByRole('combobox', { name: 'Stratify by' })).toHaveValue('outcome6m');
  await coord.getByRole('button', { name: 'Create survey' }).click();
  await coord.waitForURL(/\/survey\/[^/]+$/);
  await expect(coord.getByTestId('seed')).toHaveText('2024');
  await expect(coord.getByText(/Part-3 model: Cox PH/)).toBeVisible();
  const surveyId = coord.url().split('/').pop()!;
  for (const r of raters) {
    await coord.getByRole('combobox', { name: 'Rater' }).selectOption({ label: `${r.name} (${r.email})` });
    await expect(coord.getByLabel('Profession')).toHaveValue(r.profession!);
    await coord.getByRole('button', { name: 'Invite rater' }).click();
    await expect(coord.getByTestId('rater-row').filter({ hasText: r.name })).toBeVisible();
  }

  // two raters complete all three parts in the browser
  for (const [k, r] of raters.entries()) {
    const page = await newPage(browser);
    await signIn(page, r);
    await expect(page.getByTestId('my-survey')).toContainText('E2E three-part survey');
    await page.getByRole('button', { name: 'Start part 1' }).click();
    await ratePart(page, 1, k);
    await ratePart(page, 2, k);
    // part 1 is locked now: its answers cannot change through the API either
    const locked = await page.request.post('/api/trpc/survey.save', { data: { json: { surveyId, part: 1, itemId: 'x'.repeat(22), survivalProbability: 1 } } });
    expect(locked.status()).toBeGreaterThanOrEqual(400);
    await ratePart(page, 3, k);
    await expect(page.getByRole('status').filter({ hasText: 'submitted' })).toBeVisible();
    // the rater's session reaches no clinical data
    for (const path of ['cohorts.get', 'analysis.overview', 'survey.results', 'survey.get']) {
      const res = await page.request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: { id: surveyId, cohortId: demo.cohortId } }))}`);
      expect(res.status(), path).toBe(403);
    }
    expect((await page.request.get(`/api/survey/${surveyId}/export?kind=answers`)).status()).toBe(403);
    await page.context().close();
  }
  await coord.reload();
  await expect(coord.getByTestId('rater-row').filter({ hasText: '✓ submitted' })).toHaveCount(2);

  // analyst: comparison and merged CSV
  const an = await newPage(browser);
  await signIn(an, analyst);
  await an.goto(`/survey/${surveyId}/results`);
  const part1 = an.getByTestId('part-1').getByTestId('metrics-table');
  await expect(part1).toContainText('R1 (oncologist)');
  await expect(part1).toContainText('R2 (nurse)');
  await expect(part1).toContainText('All raters (consensus)');
  await expect(part1).toContainText('FaceAge model');
  await expect(an.getByTestId('part-2').getByTestId('metrics-table')).toContainText('nurse (consensus)');
  await an.screenshot({ path: 'test-results/screens/survey-results.png', fullPage: true });
  const [download] = await Promise.all([an.waitForEvent('download'), an.getByRole('button', { name: 'Download merged answers CSV' }).click()]);
  const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const lines = csv.trim().split('\n');
  expect(lines[0]).toMatch(/^survey_id,part,rater,profession,item_id,record_id,/);
  expect(lines).toHaveLength(1 + 2 * 3 * SIZE);
});
