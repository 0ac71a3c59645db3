import fs from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { signIn } from './helpers.ts';

test.describe.configure({ mode: 'serial' });

/** Clicks a download button and returns the downloaded file's name and bytes. */
async function download(page: Page, button: Locator): Promise<{ name: string; body: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), body: fs.readFileSync(path) };
}

const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Analysis views' }).getByRole('link', { name, exact: true }).click();

const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });

test('survival dashboards on the synthetic demo cohort: every view, a changed cut point, SVG/PNG/CSV downloads', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);

  // an admin creates the synthetic demo from the studies page and lands on its dashboards
  await page.goto('/studies');
  await page.getByRole('button', { name: 'Create synthetic demo cohort' }).click();
  await page.waitForURL(/\/cohorts\/[^/]+\/analysis$/, { timeout: 90_000 });
  await expect(page.getByTestId('synthetic-badge')).toBeVisible();
  await expect(page.getByTestId('model-label')).toContainText('synthetic');
  await expect(page.getByTestId('analysis-overview')).toContainText('1000 curated patients');
  await shot(page, 'analysis-overview');

  // Kaplan–Meier: paper groups, risk table, log-rank
  await tab(page, 'Kaplan–Meier');
  const km = page.getByTestId('km-figure');
  await expect(km.locator('svg.recharts-surface')).toBeVisible();
  await expect(km.locator('svg')).toContainText('Number at risk');
  await expect(km.locator('svg')).toContainText('≤65');
  await expect(km.locator('svg')).toContainText('>85');
  await expect(page.getByTestId('logrank')).toContainText(/Log-rank test \(4 groups\): χ² = [\d.]+, df = 3, p = /);
  await expect(km.locator('.recharts-line')).toHaveCount(4);
  await shot(page, 'km');

  // change a cut point: 65, 75, 85 → 60, 70, 80
  await page.getByLabel('Cut points').fill('60, 70, 80');
  await expect(km.locator('svg')).toContainText('≤60');
  await expect(page.getByTestId('km-summary')).toContainText('70–80');
  await shot(page, 'km-cut-60-70-80');

  const svg = await download(page, km.getByRole('button', { name: 'Download SVG' }));
  expect(svg.name).toMatch(/synthetic.*kaplan-meier\.svg$/);
  const svgText = svg.body.toString('utf8');
  expect(svgText).toContain('<svg');
  expect(svgText).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect(svgText).toMatch(/<rect x="0" y="0" width="\d+" height="\d+" fill="#ffffff"/);
  expect(svgText).toContain('font-family');
  expect(svgText).toContain('Number at risk');
  expect(svgText).toContain('≤60');
  expect(svgText).toContain('Log-rank');
  expect(svgText).toContain('SYNTHETIC demo data');

  const png = await download(page, km.getByRole('button', { name: 'Download PNG' }));
  expect(png.name).toMatch(/\.png$/);
  expect(png.body.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(png.body.length).toBeGreaterThan(10_000);

  const risk = await download(page, page.getByRole('button', { name: 'Download risk table (CSV)' }));
  const riskLines = risk.body.toString('utf8').trim().split(/\r?\n/);
  expect(riskLines[0]).toMatch(/^group,n_at_risk_0y,n_at_risk_/);
  expect(riskLines.map((l) => l.split(',')[0])).toEqual(['group', '≤60', '60–70', '70–80', '>80']);
  const atStart = riskLines.slice(1).reduce((s, l) => s + Number(l.split(',')[1]), 0);
  expect(atStart).toBe(1000);

  // Cox: default multivariable model, forest plot, LRT for FaceAge
  await tab(page, 'Cox models');
  const forest = page.getByTestId('forest-figure');
  await expect(forest.locator('svg')).toContainText('FaceAge (per 10 years)', { timeout: 30_000 });
  await expect(page.getByTestId('faceage-lrt')).toContainText(/Likelihood-ratio test of adding FaceAge \(per 10 years\) to the clinical model/);
  await expect(page.getByTestId('cox-table')).toContainText('Sex: M vs F');
  await shot(page, 'cox');
  const hr = await download(page, page.getByRole('button', { name: 'Download table (CSV)' }).first());
  const hrText = hr.body.toString('utf8');
  expect(hrText.split(/\r?\n/)[0]).toBe('model,term,level,reference,hr,lower95,upper95,p,coef,se,n,events,concordance,values');
  expect(hrText).toContain('FaceAge (per 10 years)');
  expect(hrText).toContain('synthetic (demo values, not FaceAge)');
  const forestSvg = await download(page, forest.getByRole('button', { name: 'Download SVG' }));
  expect(forestSvg.body.toString('utf8')).toContain('Hazard ratio (log scale)');
  const pred = await download(page, page.getByRole('button', { name: 'Download predicted survival (CSV)' }));
  const predLines = pred.body.toString('utf8').trim().split(/\r?\n/);
  expect(predLines[0]).toBe('record_id,linear_predictor,survival_0.5y,survival_1y,survival_2y,values');
  expect(predLines).toHaveLength(1001);

  // Agreement and subgroups
  await tab(page, 'Agreement & subgroups');
  const scatter = page.getByTestId('scatter-figure');
  await expect(scatter.locator('svg')).toContainText('MAE =');
  await expect(page.getByTestId('subgroup-table')).toContainText('Smoking');
  await shot(page, 'agreement');
  const scatterSvg = await download(page, scatter.getByRole('button', { name: 'Download SVG' }));
  expect(scatterSvg.body.toString('utf8')).toMatch(/r = 0\.\d{3}, R² = 0\.\d{3}, n = 1000/);

  // Validation report
  await tab(page, 'Validation report');
  await expect(page.getByTestId('validation-table')).toContainText('Race (race)');
  await expect(page.getByTestId('validation-figure').locator('svg')).toBeVisible();
  await shot(page, 'validation');
  const report = await download(page, page.getByRole('button', { name: 'Download report (CSV)' }));
  const reportText = report.body.toString('utf8');
  expect(reportText.split(/\r?\n/)[0]).toBe('subgroup,level,n,mae,r,r_squared,bias,sd_gap,values');
  expect(reportText).toMatch(/Race \(race\),White,\d+,/);
});
