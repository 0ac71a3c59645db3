/** Small hand-computed cases and input validation for stats/. */
import { describe, expect, it } from 'vitest';
import {
  chisqUpper,
  concordance,
  coxPH,
  designMatrix,
  kaplanMeier,
  logRank,
  normalUpper,
  predictSurvival,
  rocAUC,
  StatsInputError,
  tTwoSided,
  timeDependentAUC,
  coxZph,
  likelihoodRatioTest,
} from '../../stats/index.ts';

const close = (a: number, b: number, rel = 1e-12) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));

describe('hand-computed', () => {
  it('Kaplan–Meier product-limit, Greenwood, median', () => {
    const km = kaplanMeier({ time: [1, 2, 2, 3, 4], event: [1, 1, 0, 1, 0], tau: 4 });
    expect(km.time).toEqual([1, 2, 3, 4]);
    expect(km.nRisk).toEqual([5, 4, 2, 1]);
    expect(km.nEvent).toEqual([1, 1, 1, 0]);
    expect(km.nCensor).toEqual([0, 1, 0, 1]);
    [0.8, 0.6, 0.3, 0.3].forEach((s, i) => close(km.survival[i], s));
    const gw = [1 / 20, 1 / 20 + 1 / 12, 1 / 20 + 1 / 12 + 1 / 2, 1 / 20 + 1 / 12 + 1 / 2];
    gw.forEach((g, i) => close(km.stdErrLog[i], Math.sqrt(g)));
    gw.forEach((g, i) => close(km.stdErr[i], km.survival[i] * Math.sqrt(g)));
    expect(km.median).toBe(3);
    // rmean = 1*1 + 1*0.8 + 1*0.6 + 1*0.3
    close(km.rmean!, 2.7);
  });

  it('median midpoint rule when S is 0.5 on an interval', () => {
    const km = kaplanMeier({ time: [1, 2, 3, 4], event: [1, 1, 1, 1] });
    expect(km.survival[1]).toBe(0.5);
    expect(km.median).toBe(2.5);
    // S(t) = 0.5 - 1e-16 (round-off) still counts as 0.5 (tolerance sqrt(eps))
    const km2 = kaplanMeier({ time: [1, 2, 3, 4, 5, 6], event: [1, 1, 1, 1, 1, 1] });
    expect(km2.median).toBe(3.5);
    // never reaching 0.5 → null
    expect(kaplanMeier({ time: [1, 2, 3], event: [1, 0, 0] }).median).toBeNull();
  });

  it('S = 0: std err NaN (0·Inf), log SE Inf, CI null', () => {
    const km = kaplanMeier({ time: [1, 2], event: [1, 1] });
    expect(km.survival[1]).toBe(0);
    expect(km.stdErr[1]).toBeNaN();
    expect(km.stdErrLog[1]).toBe(Infinity);
    expect(km.lower[1]).toBeNull();
    expect(km.upper[1]).toBeNull();
  });

  it('log-rank 2 groups = 8/13; Cox score test equals it without ties', () => {
    const time = [1, 3, 2, 4];
    const event = [1, 1, 1, 1];
    const group = ['A', 'A', 'B', 'B'];
    const lr = logRank({ time, event, group });
    close(lr.chisq, 8 / 13);
    close(lr.observed[0], 2);
    close(lr.expected[0], 4 / 3);
    expect(lr.df).toBe(1);
    close(lr.pValue, 0.4327676, 1e-6);
    const fit = coxPH({ time, event, covariates: { a: [1, 1, 0, 0] }, ties: 'breslow' });
    close(fit.scoreTest.chisq, 8 / 13, 1e-10);
  });

  it('concordance counts on a toy set', () => {
    const c = concordance({ time: [1, 2, 3, 3], event: [1, 1, 1, 0], score: [4, 3, 1, 2], reverse: true });
    // comparable pairs: (1,2),(1,3),(1,4),(2,3),(2,4),(3,4: tie time, 4 censored → comparable)
    expect(c.concordant + c.discordant + c.tiedScore).toBe(6);
    expect(c.concordant).toBe(5);
    expect(c.discordant).toBe(1);
    close(c.cIndex, 5 / 6);
  });

  it('time-dependent AUC and ROC AUC', () => {
    const r = timeDependentAUC({ time: [1, 2, 3, 4, 5], event: [1, 0, 1, 1, 0], score: [5, 4, 3, 4, 1], horizon: 3 });
    expect(r.nCases).toBe(2);
    expect(r.nControls).toBe(2);
    expect(r.nExcludedCensored).toBe(1);
    // cases 5,3 vs controls 4,1: 5>4,5>1,3>1, 3<4 → 3/4
    close(r.auc, 0.75);
    const roc = rocAUC([1, 1, 0, 0], [0.9, 0.8, 0.1, 0.2]);
    expect(roc.auc).toBe(1);
  });

  it('designMatrix: treatment contrasts, R names, scaling, missing rows', () => {
    const rows = [
      { site: 'lung', faceage: 70, sex: 1 },
      { site: 'breast', faceage: 60, sex: 0 },
      { site: 'gi', faceage: null, sex: 1 },
      { site: 'lung', faceage: 80, sex: 0 },
    ];
    const d = designMatrix(rows, [{ name: 'faceage', scale: 10, as: 'faceage10' }, { name: 'site', type: 'factor', reference: 'breast' }, 'sex']);
    expect(d.columns).toEqual(['faceage10', 'sitegi', 'sitelung', 'sex']);
    expect(d.covariates.faceage10.slice(0, 2)).toEqual([7, 6]);
    expect(d.covariates.sitelung).toEqual([1, 0, NaN, 1]);
    expect(d.missingRows).toEqual([2]);
    expect(d.termColumns.site).toEqual(['sitegi', 'sitelung']);
  });

  it('upper-tail p-values stay accurate far in the tail', () => {
    close(normalUpper(37), 5.7255712225245771e-300, 1e-10);
    close(chisqUpper(1000, 1), 1.7958327848007259e-219, 1e-10);
    close(tTwoSided(40, 1000), 1.0478852155172875e-209, 1e-9);
  });
});

describe('input validation and fit diagnostics', () => {
  const t = [1, 2, 3, 4];
  const e = [1, 0, 1, 1];
  it('rejects bad survival data', () => {
    expect(() => kaplanMeier({ time: [1, 2], event: [1] })).toThrow(StatsInputError);
    expect(() => kaplanMeier({ time: [1, -2], event: [1, 1] })).toThrow(/finite number ≥ 0/);
    expect(() => kaplanMeier({ time: [1, NaN], event: [1, 1] })).toThrow(StatsInputError);
    expect(() => kaplanMeier({ time: [1, Infinity], event: [1, 1] })).toThrow(StatsInputError);
    expect(() => kaplanMeier({ time: [1, 2], event: [1, 2] })).toThrow(/0 \(censored\) or 1/);
    expect(() => kaplanMeier({ time: [1, 2], event: [0, 0] })).toThrow(/at least one event/);
    expect(() => logRank({ time: t, event: e, group: [1, 1, 1, 1] })).toThrow(/two groups/);
    expect(() => coxPH({ time: t, event: e, covariates: { x: [1, 2, 3] } })).toThrow(/length/);
    expect(() => concordance({ time: t, event: e, score: [1, 2, 3] })).toThrow(StatsInputError);
    expect(() => rocAUC([1, 1], [0.2, 0.3])).toThrow(/control/);
  });

  it('drops rows with missing covariates (na.omit) and counts them', () => {
    const fit = coxPH({ time: [1, 2, 3, 4, 5, 6], event: [1, 1, 0, 1, 1, 1], covariates: { x: [1, NaN, 3, 2, 5, 1] } });
    expect(fit.n).toBe(5);
    expect(fit.nDropped).toBe(1);
    expect(fit.droppedRows).toEqual([1]);
    expect(Number.isNaN(fit.linearPredictor[1])).toBe(true);
  });

  it('separation: warns that the coefficient may be infinite (as R), no NaN', () => {
    const fit = coxPH({ time: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], event: Array(10).fill(1), covariates: { x: [1, 1, 1, 1, 1, 0, 0, 0, 0, 0] } });
    expect(fit.warnings.join(' ')).toMatch(/infinite/);
    expect(Number.isFinite(fit.coef[0])).toBe(true);
    expect(fit.coef[0]).toBeGreaterThan(10);
  });

  it('collinear covariates: clear error', () => {
    expect(() => coxPH({ time: [1, 2, 3, 4, 5], event: [1, 1, 1, 0, 1], covariates: { a: [1, 2, 3, 4, 6], b: [2, 4, 6, 8, 12] } })).toThrow(/singular/);
  });

  it('non-convergence is reported', () => {
    const fit = coxPH({ time: [1, 2, 3, 4, 5, 6], event: [1, 1, 0, 1, 1, 1], covariates: { x: [1, 4, 3, 2, 5, 1] }, iterMax: 1 });
    expect(fit.converged).toBe(false);
    expect(fit.warnings.join(' ')).toMatch(/did not converge/);
  });

  it('nested LR test refuses fits on different rows', () => {
    const a = coxPH({ time: [1, 2, 3, 4, 5, 6], event: [1, 1, 0, 1, 1, 1], covariates: { x: [1, 4, 3, 2, 5, 1] } });
    const b = coxPH({ time: [1, 2, 3, 4, 5, 6], event: [1, 1, 0, 1, 1, 1], covariates: { x: [1, 4, 3, 2, 5, 1], y: [NaN, 1, 0, 1, 0, 1] } });
    expect(() => likelihoodRatioTest(a, b)).toThrow(/different rows/);
    expect(coxZph(a).terms).toEqual(['x']);
    expect(() => predictSurvival(a, { z: [1] }, [1])).toThrow(/lacks x/);
  });
});

describe('designMatrix conveniences', () => {
  it('text columns become factors with sorted levels; "NA" strings are missing', () => {
    const d = designMatrix({ rx: ['Obs', 'Lev', 'Lev+5FU', 'NA', 'Obs'], age: [50, 60, 'NA', 70, 80] } as any, ['rx', { name: 'age', per: 10 }]);
    expect(d.columns).toEqual(['rxLev+5FU', 'rxObs', 'age']);
    expect(d.missingRows).toEqual([2, 3]);
    const d2 = designMatrix({ rx: ['Obs', 'Lev', 'Lev+5FU', 'Obs'] }, [{ name: 'rx', type: 'categorical', ref: 'Obs' }]);
    expect(d2.columns).toEqual(['rxLev', 'rxLev+5FU']);
    expect(d2.covariates.rxLev).toEqual([0, 1, 0, 0]);
  });
});

describe('call conventions', () => {
  it('tTest positional form and p aliases', async () => {
    const { tTest, pearson } = await import('../../stats/index.ts');
    const a = tTest({ x: [1, 2, 3, 5], y: [2, 2, 4, 7], paired: true });
    const b = tTest([1, 2, 3, 5], [2, 2, 4, 7], { paired: true });
    expect(b.statistic).toBe(a.statistic);
    expect(b.p).toBe(a.pValue);
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 5]).p).toBeGreaterThan(0);
    expect(() => coxPH({ time: [1, 2, 3], event: [1, 1, 1], covariates: { site: ['a', 'b', 'a'] as any } })).toThrow(/designMatrix/);
  });
});

describe('timefix (R aeqSurv): near-equal times are ties', () => {
  // R: t <- c(1, 1+1e-10, 2, 3, 3+3e-9, 4, 5, 6); survfit, coxph(~x), survdiff(~g)
  const time = [1, 1 + 1e-10, 2, 3, 3 + 3e-9, 4, 5, 6];
  const event = [1, 1, 0, 1, 1, 0, 1, 1];
  const x = [0.5, 1.2, -0.3, 2.0, 0.1, 0.7, -1, 0.3];
  it('KM, Cox, concordance and log-rank match R', () => {
    const km = kaplanMeier({ time, event });
    expect(km.time).toEqual([1, 2, 3, 4, 5, 6]);
    expect(km.nEvent).toEqual([2, 0, 2, 0, 1, 1]);
    const fit = coxPH({ time, event, covariates: { x } });
    close(fit.coef[0], 0.43421673964275914, 1e-9);
    close(fit.logLikNull, -7.7142311448490855, 1e-12);
    close(fit.logLik, -7.3538627685202318, 1e-12);
    close(fit.concordance, 0.68421052631578949, 1e-12);
    close(fit.concordanceSe, 0.085199758998502476, 1e-10);
    close(logRank({ time, event, group: [1, 2, 1, 2, 1, 2, 1, 2] }).chisq, 0.47180192572214608, 1e-12);
  });
});

describe('serialization', () => {
  it('Cox results serialize to JSON without the internal model data', () => {
    const fit = coxPH({ time: [1, 2, 3, 4, 5, 6], event: [1, 1, 0, 1, 1, 1], covariates: { x: [1, 4, 3, 2, 5, 1] } });
    const json = JSON.parse(JSON.stringify(fit));
    expect(json.model).toBeUndefined();
    expect(json.coef).toEqual(fit.coef);
    expect(fit.model.n).toBe(6);
  });
});

describe('ROC direction', () => {
  it("direction 'auto' follows pROC's median rule (R: roc() picks '>' here, AUC 0.8125)", async () => {
    const { rocAUC } = await import('../../stats/index.ts');
    const l = [1, 1, 1, 0, 0, 0, 0, 1];
    const s = [0.2, 0.4, 0.1, 0.9, 0.5, 0.3, 0.8, 0.6];
    const r = rocAUC(l, s, 0.95, 'auto');
    close(r.auc, 0.8125);
    close(r.lower, 0.4807745274561101, 1e-12);
    expect(r.upper).toBe(1);
    close(rocAUC(l, s).auc, 1 - 0.8125);
  });
});
