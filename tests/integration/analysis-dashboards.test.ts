/**
 * Survival dashboards (issue 7): the numbers the endpoints return equal direct stats/ calls on
 * the same analysis rows; access is analyst/coordinator/admin only; the synthetic demo cohort is
 * labelled and fully included by the curation rules.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  concordance,
  coxPH,
  coxZph,
  designMatrix,
  kaplanMeier,
  kmAtTimes,
  likelihoodRatioTest,
  linearRegression,
  logRank,
  meanAbsoluteError,
  pearson,
  predictSurvival,
  tTest,
} from '~/stats/index.ts';
import { invalidateDataset } from '~/server/services/analysis/data.ts';
import { analysisDataset, type AnalysisRow } from '~/server/services/dataset.ts';
import { generateSyntheticPatients } from '~/server/services/demo.ts';
import { callerFor, makeUser, useTestDatabase } from '../helpers/context.ts';

const N = 600;
let cohortId = '';
let rows: AnalysisRow[] = [];
let analyst: ReturnType<typeof callerFor>;

beforeAll(async () => {
  const db = useTestDatabase();
  const admin = callerFor(await makeUser('admin'));
  analyst = callerFor(await makeUser('analyst'));
  const demo = await admin.analysis.createDemo({ patients: N, seed: 7, studyName: `Synthetic demo ${Date.now()}` });
  cohortId = demo.cohortId;
  rows = (await analysisDataset(db, cohortId)).rows;
});

const close = (a: number | null | undefined, b: number | null | undefined, tol = 1e-12) => {
  if (a === null || a === undefined || b === null || b === undefined) return expect(a ?? null).toBe(b ?? null);
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
};

describe('synthetic demo cohort', () => {
  it('is labelled synthetic and every patient passes the curation rules', async () => {
    const db = useTestDatabase();
    const cohort = await db.cohort.findUniqueOrThrow({ where: { id: cohortId } });
    expect(cohort.isSynthetic).toBe(true);
    expect(cohort.name).toMatch(/Synthetic demo/);
    const all = await analysisDataset(db, cohortId, { includeExcluded: true });
    expect(all.rows).toHaveLength(N);
    expect(all.rows.filter((r) => !r.included).map((r) => r.reasons)).toEqual([]);
    expect(rows).toHaveLength(N);
    expect(all.isSynthetic).toBe(true);
    expect(new Set(rows.map((r) => r.ageModelKind))).toEqual(new Set(['synthetic']));
    const photo = await db.photo.findFirstOrThrow({ where: { cohortId } });
    expect(photo.storageKey).toMatch(/^synthetic:\d+$/);
    expect(photo.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect([photo.width, photo.height, photo.qaStatus]).toEqual([0, 0, 'passed']);
    // the stored dates give back the generated survival times and ages
    const gen = generateSyntheticPatients(N, 7);
    const byRecord = new Map(rows.map((r) => [r.recordId, r]));
    for (const p of gen.slice(0, 50)) {
      const r = byRecord.get(p.recordId)!;
      close(r.survivalYears, p.survivalYears, 1e-9);
      expect(r.event).toBe(p.event);
      close(r.faceAge, p.faceAge, 1e-9);
      expect(Math.abs((r.chronoAge as number) - p.age)).toBeLessThan(0.01);
    }
  });

  it('the overview names the model as synthetic, not FaceAge', async () => {
    const o = await analyst.analysis.overview({ cohortId });
    expect(o.meta.isSynthetic).toBe(true);
    expect(o.meta.modelLabel).toMatch(/synthetic/);
    expect(o.counts.rows).toBe(N);
    expect(o.variables.map((v) => v.name)).toEqual(expect.arrayContaining(['faceAge', 'sex', 'site', 'smoking', 'cov.race']));
  });
});

describe('Kaplan–Meier endpoint equals stats/', () => {
  it('paper FaceAge groups: curves, medians, numbers at risk and log-rank', async () => {
    const { result } = await analyst.analysis.km({ cohortId, options: { grouping: { by: 'faceAge', cuts: [65, 75, 85] }, horizon: 5 } });
    const label = (fa: number): string => (fa <= 65 ? '≤65' : fa <= 75 ? '65–75' : fa <= 85 ? '75–85' : '>85');
    const time = rows.map((r) => r.survivalYears as number);
    const event = rows.map((r) => r.event as number);
    const group = rows.map((r) => label(r.faceAge as number));
    expect(result.groups.map((g) => g.label)).toEqual(['≤65', '65–75', '75–85', '>85'].filter((g) => group.includes(g)));
    expect(result.ticks).toEqual([0, 1, 2, 3, 4, 5]);
    for (const g of result.groups) {
      const idx = group.map((v, i) => (v === g.label ? i : -1)).filter((i) => i >= 0);
      const fit = kaplanMeier({ time: idx.map((i) => time[i]), event: idx.map((i) => event[i]) });
      expect(g.n).toBe(fit.n);
      expect(g.events).toBe(fit.nEvents);
      close(g.median, fit.median);
      close(g.medianLower, fit.medianLower);
      close(g.medianUpper, fit.medianUpper);
      const at = kmAtTimes(fit, result.ticks);
      for (const tick of g.atTicks) {
        const j = at.time.indexOf(tick.t);
        if (j >= 0) {
          expect(tick.nRisk).toBe(at.nRisk[j]);
          close(tick.s, at.survival[j]);
          close(tick.lo, at.lower[j]);
        }
      }
      // every drawn step is an exact point of the fit
      for (const p of g.curve.slice(1)) {
        const k = fit.time.indexOf(p.t);
        if (k >= 0) close(p.s, fit.survival[k]);
      }
    }
    const lr = logRank({ time, event, group });
    close(result.logRank!.chisq, lr.chisq);
    close(result.logRank!.pValue, lr.pValue);
    expect(result.logRank!.df).toBe(lr.df);
  });

  it('changed cut points, quantiles, age gap and a covariate', async () => {
    const cut = await analyst.analysis.km({ cohortId, options: { grouping: { by: 'faceAge', cuts: [70] } } });
    expect(cut.result.groups.map((g) => g.label)).toEqual(['≤70', '>70']);
    expect(cut.result.groups[0].n).toBe(rows.filter((r) => (r.faceAge as number) <= 70).length);
    const q = await analyst.analysis.km({ cohortId, options: { grouping: { by: 'ageGapQuantiles', k: 3 } } });
    expect(q.result.groups).toHaveLength(3);
    expect(q.result.groups.reduce((s, g) => s + g.n, 0)).toBe(N);
    const site = await analyst.analysis.km({ cohortId, options: { grouping: { by: 'variable', name: 'site' } } });
    const lr = logRank({ time: rows.map((r) => r.survivalYears as number), event: rows.map((r) => r.event as number), group: rows.map((r) => r.site) });
    close(site.result.logRank!.chisq, lr.chisq);
    const race = await analyst.analysis.km({ cohortId, options: { grouping: { by: 'variable', name: 'cov.race' } } });
    expect(race.result.groups.map((g) => g.label)).toEqual(expect.arrayContaining(['White', 'Black']));
  });
});

describe('Cox endpoint equals stats/', () => {
  const terms = [
    { variable: 'faceAge', type: 'numeric' as const, scale: 10 },
    { variable: 'chronoAge', type: 'numeric' as const, scale: 10 },
    { variable: 'sex', type: 'factor' as const, reference: 'F' },
    { variable: 'site', type: 'factor' as const, reference: 'lung' },
    { variable: 'ecog', type: 'numeric' as const, scale: 1 },
  ];
  const table = () => ({
    fa: rows.map((r) => r.faceAge),
    age: rows.map((r) => r.chronoAge),
    sex: rows.map((r) => r.sex),
    site: rows.map((r) => r.site),
    ecog: rows.map((r) => r.ecog),
  });
  const time = () => rows.map((r) => r.survivalYears as number);
  const event = () => rows.map((r) => r.event as number);

  it('multivariable HRs, CIs, p, concordance, cox.zph and the FaceAge LRT', async () => {
    const { result } = await analyst.analysis.cox({ cohortId, options: { terms, mode: 'multivariable' } });
    const dm = designMatrix(table(), [
      { name: 'fa', scale: 10 },
      { name: 'age', scale: 10 },
      { name: 'sex', type: 'factor', reference: 'F' },
      { name: 'site', type: 'factor', reference: 'lung' },
      'ecog',
    ]);
    const fit = coxPH({ time: time(), event: event(), covariates: dm.covariates });
    const model = result.models[0].model;
    expect(model.n).toBe(fit.n);
    expect(model.events).toBe(fit.nEvent);
    close(model.concordance, fit.concordance);
    close(model.concordanceSe, fit.concordanceSe);
    close(model.lrTest.chisq, fit.lrTest.chisq, 1e-10);
    const nonRef = model.rows.filter((r) => !r.isReference);
    expect(nonRef).toHaveLength(fit.terms.length);
    nonRef.forEach((row, j) => {
      close(row.hr, fit.hazardRatio[j]);
      close(row.lower, fit.lower[j]);
      close(row.upper, fit.upper[j]);
      close(row.p, fit.pValue[j]);
    });
    expect(model.rows.filter((r) => r.isReference).map((r) => r.level)).toEqual(['F', 'lung']);
    expect(nonRef[0].label).toBe('FaceAge (per 10 years)');
    // cox.zph by term
    const zph = coxZph(fit, dm.termColumns);
    close(model.zph!.global.chisq, zph.global.chisq);
    model.zph!.terms.forEach((t, i) => close(t.chisq, zph.byTerm!.chisq[i]));
    // LRT of adding FaceAge to the clinical model, on the same rows
    const clinicalCov = Object.fromEntries(Object.entries(dm.covariates).filter(([k]) => k !== 'fa'));
    const clinical = coxPH({ time: time(), event: event(), covariates: clinicalCov });
    const lrt = likelihoodRatioTest(clinical, fit);
    close(result.faceAgeLrt!.chisq, lrt.chisq, 1e-9);
    close(result.faceAgeLrt!.pValue, lrt.pValue, 1e-9);
    expect(result.faceAgeLrt!.df).toBe(1);
    // concordance of the linear predictor, recomputed independently
    const c = concordance({ time: time(), event: event(), score: fit.linearPredictor, reverse: true });
    close(model.concordance, c.cIndex);
  });

  it('univariable models, one per term', async () => {
    const { result } = await analyst.analysis.cox({ cohortId, options: { terms: terms.slice(0, 2), mode: 'univariable', faceAgeLrt: false } });
    expect(result.models).toHaveLength(2);
    const fit = coxPH({ time: time(), event: event(), covariates: { fa: rows.map((r) => (r.faceAge as number) / 10) } });
    close(result.models[0].model.rows[0].hr, fit.hazardRatio[0]);
    close(result.models[0].model.rows[0].p, fit.pValue[0]);
  });

  it('predicted survival per patient equals survfit(fit, newdata)', async () => {
    const two = terms.filter((t) => t.variable === 'faceAge' || t.variable === 'ecog');
    const { result } = await analyst.analysis.predictions({ cohortId, options: { terms: two, horizons: [0.5, 1] } });
    expect(result.patients).toHaveLength(N);
    const fit = coxPH({ time: time(), event: event(), covariates: { fa: rows.map((r) => (r.faceAge as number) / 10), ecog: rows.map((r) => r.ecog as number) } });
    for (const k of [0, 17, 123]) {
      const r = rows[k];
      const p = predictSurvival(fit, { fa: [(r.faceAge as number) / 10], ecog: [r.ecog as number] }, [0.5, 1]);
      const mine = result.patients.find((x) => x.patientId === r.patientId)!;
      close(mine.survival[0], p.survival[0][0], 1e-10);
      close(mine.survival[1], p.survival[0][1], 1e-10);
    }
    const admin = callerFor(await makeUser('admin'));
    const events = await admin.system.audit({ action: 'analysis.predictions.export', limit: 5 });
    expect(events.some((e) => e.entityId === cohortId)).toBe(true);
  });
});

describe('agreement, subgroups and validation equal stats/', () => {
  it('agreement: r, R², MAE, bias, and t-tests by subgroup', async () => {
    const { result } = await analyst.analysis.agreement({ cohortId });
    const age = rows.map((r) => r.chronoAge as number);
    const face = rows.map((r) => r.faceAge as number);
    close(result.stats.r, pearson(age, face).r);
    close(result.stats.rSquared, linearRegression(age, face).rSquared);
    close(result.stats.mae, meanAbsoluteError(face, age));
    close(result.stats.bias, face.reduce((s, v, i) => s + v - age[i], 0) / N, 1e-10);
    expect(result.histogram.reduce((s, b) => s + b.count, 0)).toBe(N);
    const sex = result.subgroups.find((s) => s.variable === 'sex')!;
    const gapM = rows.filter((r) => r.sex === 'M').map((r) => r.ageGap as number);
    const gapF = rows.filter((r) => r.sex === 'F').map((r) => r.ageGap as number);
    const t = tTest({ x: gapM, y: gapF });
    expect(sex.reference).toBe('F');
    close(sex.levels[1].test!.statistic, t.statistic);
    close(sex.levels[1].test!.pValue, t.pValue);
  });

  it('validation report by sex and race', async () => {
    const { result } = await analyst.analysis.validation({ cohortId });
    expect(result.raceVariable).toBe('race');
    const white = rows.filter((r) => r.covariates.race === 'White');
    const g = result.byRace.find((x) => x.group === 'White')!;
    close(g.stats.mae, meanAbsoluteError(white.map((r) => r.faceAge as number), white.map((r) => r.chronoAge as number)));
    close(g.stats.r, pearson(white.map((r) => r.chronoAge as number), white.map((r) => r.faceAge as number)).r);
    expect(result.bySex.map((x) => x.group)).toEqual(['F', 'M']);
    expect(result.overall.n).toBe(N);
  });
});

describe('access and caching', () => {
  it('refuses raters on every analysis procedure; only admins create demos', async () => {
    const rater = callerFor(await makeUser('rater'));
    await expect(rater.analysis.overview({ cohortId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(rater.analysis.km({ cohortId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(rater.analysis.cox({ cohortId, options: { terms: [{ variable: 'faceAge', type: 'numeric', scale: 10 }] } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(rater.analysis.agreement({ cohortId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(rater.analysis.validation({ cohortId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(rater.analysis.predictions({ cohortId, options: { terms: [{ variable: 'faceAge', type: 'numeric', scale: 10 }] } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(rater.analysis.createDemo({ patients: 20 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(analyst.analysis.createDemo({ patients: 20 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const coordinator = callerFor(await makeUser('coordinator'));
    await expect(coordinator.analysis.km({ cohortId })).resolves.toHaveProperty('result');
  });

  it('reuses the cached dataset until the cohort changes', async () => {
    const db = useTestDatabase();
    process.env.FACEAGE_ANALYSIS_REVALIDATE_MS = '0'; // check the fingerprint on every call
    const first = await analyst.analysis.km({ cohortId, options: { grouping: { by: 'none' } } });
    const second = await analyst.analysis.km({ cohortId, options: { grouping: { by: 'none' } } });
    expect(second.meta.cached).toBe(true);
    const victim = await db.patient.findFirstOrThrow({ where: { cohortId, dateOfDeath: null } });
    const photo = await db.photo.findFirstOrThrow({ where: { patientId: victim.id } });
    await db.photo.update({ where: { id: photo.id }, data: { qaStatus: 'culled', qaAt: new Date() } });
    const third = await analyst.analysis.km({ cohortId, options: { grouping: { by: 'none' } } });
    expect(third.meta.cached).toBe(false);
    expect(third.result.n).toBe(first.result.n - 1);
    await db.photo.update({ where: { id: photo.id }, data: { qaStatus: 'passed', qaAt: new Date() } });
    const back = await analyst.analysis.km({ cohortId, options: { grouping: { by: 'none' } } });
    expect(back.result.n).toBe(first.result.n);
    // within the revalidation window a change shows up after invalidateDataset (or the window)
    process.env.FACEAGE_ANALYSIS_REVALIDATE_MS = '600000';
    await db.photo.update({ where: { id: photo.id }, data: { qaStatus: 'culled', qaAt: new Date() } });
    const stale = await analyst.analysis.km({ cohortId, options: { grouping: { by: 'none' } } });
    expect(stale.result.n).toBe(first.result.n);
    invalidateDataset(cohortId);
    const fresh = await analyst.analysis.km({ cohortId, options: { grouping: { by: 'none' } } });
    expect(fresh.result.n).toBe(first.result.n - 1);
    await db.photo.update({ where: { id: photo.id }, data: { qaStatus: 'passed', qaAt: new Date() } });
    delete process.env.FACEAGE_ANALYSIS_REVALIDATE_MS;
  });

  it('gives useful errors for bad input', async () => {
    await expect(analyst.analysis.km({ cohortId, options: { grouping: { by: 'variable', name: 'nonsense' } } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(analyst.analysis.cox({ cohortId, options: { terms: [{ variable: 'sex', type: 'factor', reference: 'X' }] } })).rejects.toThrow(/no level "X"/);
    await expect(analyst.analysis.km({ cohortId: 'missing' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
