/**
 * UTK FaceAge-vs-age agreement statistics and ROC/DeLong against R (utk.json, roc_lung.json from
 * ../shared/reference; roc block of the generated synthetic fixture, pROC 1.18).
 */
import { describe, expect, it } from 'vitest';
import {
  blandAltman,
  delongTest,
  kendallTauB,
  linearRegression,
  meanAbsoluteError,
  median,
  medianAbsoluteError,
  pearson,
  rocAUC,
  rootMeanSquaredError,
  spearman,
  tTest,
} from '../../stats/index.ts';
import { Checker, loadFixture } from './helpers.ts';

function finish(name: string, c: Checker) {
  console.log(`${name}: ${c.count} values, max rel err ${c.maxRel.toExponential(2)}${c.maxRelAt ? ' at ' + c.maxRelAt : ''}`);
  if (c.errors.length) console.log(c.errors.join('\n'));
  expect(c.errors).toEqual([]);
}

describe('UTK agreement (utk.json)', () => {
  const fx = loadFixture('reference/utk.json');
  const d = fx.input.data;
  const fa: number[] = d.faceage;
  const age: number[] = d.age;

  const checkGroup = (c: Checker, idx: number[], ref: any, w: string) => {
    const f = idx.map((i) => fa[i]);
    const a = idx.map((i) => age[i]);
    const delta = f.map((v, i) => v - a[i]);
    c.num(idx.length, ref.n, `${w}.n`, { exact: true });
    c.num(meanAbsoluteError(f, a), ref.mae, `${w}.mae`);
    const t = tTest({ x: delta });
    c.num(t.estimate[0], ref.mean_delta, `${w}.mean_delta`);
    c.num(t.stdErr * Math.sqrt(idx.length), ref.sd_delta, `${w}.sd_delta`);
    c.num(medianAbsoluteError(f, a), ref.median_abs_error, `${w}.median_abs_error`);
    c.num(rootMeanSquaredError(f, a), ref.rmse, `${w}.rmse`);
    const p = pearson(f, a);
    c.num(p.r, ref.pearson.r, `${w}.pearson.r`);
    c.num(p.t, ref.pearson.t, `${w}.pearson.t`);
    c.num(p.df, ref.pearson.df, `${w}.pearson.df`, { exact: true });
    c.num(p.pValue, ref.pearson.p, `${w}.pearson.p`);
    c.arr(p.confInt, ref.pearson.conf_int_95, `${w}.pearson.ci`);
    c.num(linearRegression(f, a).rSquared, ref.r_squared_lm_age_on_faceage, `${w}.r2`);
  };

  it('overall, by gender, by race', () => {
    const c = new Checker();
    const all = [...Array(fa.length).keys()];
    checkGroup(c, all, fx.overall, 'overall');
    checkGroup(c, all, fx.all_ages_unfiltered, 'all_ages_unfiltered');
    for (const g of fx.by_gender) checkGroup(c, all.filter((i) => d.gender[i] === g.gender), g, `gender${g.gender}`);
    for (const g of fx.by_race) checkGroup(c, all.filter((i) => d.race[i] === g.race), g, `race${g.race}`);
    finish('utk.groups', c);
  });

  it('spearman, kendall, lm, t-tests, Bland–Altman', () => {
    const c = new Checker();
    const o = fx.overall;
    const delta = fa.map((v, i) => v - age[i]);
    const sp = spearman(fa, age);
    c.num(sp.rho, o.spearman.rho, 'spearman.rho');
    c.num(sp.S, o.spearman.S, 'spearman.S');
    c.num(sp.pValue, o.spearman.p, 'spearman.p');
    c.num(kendallTauB(fa, age), o.kendall_tau_b, 'kendall_tau_b');
    const lm = linearRegression(fa, age);
    const L = o.lm_age_on_faceage;
    c.num(lm.intercept, L.intercept, 'lm.intercept');
    c.num(lm.slope, L.slope, 'lm.slope');
    c.num(lm.se[0], L.se_intercept, 'lm.se_intercept');
    c.num(lm.se[1], L.se_slope, 'lm.se_slope');
    c.num(lm.t[1], L.t_slope, 'lm.t_slope');
    c.num(lm.pValue[1], L.p_slope, 'lm.p_slope');
    c.num(lm.rSquared, L.r_squared, 'lm.r2');
    c.num(lm.adjRSquared, L.adj_r_squared, 'lm.adj_r2');
    c.num(lm.sigma, L.sigma, 'lm.sigma');
    c.num(lm.fStatistic, L.fstatistic, 'lm.F');
    c.num(lm.fDf[0], L.f_df1, 'lm.f_df1', { exact: true });
    c.num(lm.fDf[1], L.f_df2, 'lm.f_df2', { exact: true });
    const l2 = linearRegression(age, fa);
    c.num(l2.intercept, o.lm_faceage_on_age.intercept, 'lm2.intercept');
    c.num(l2.slope, o.lm_faceage_on_age.slope, 'lm2.slope');
    c.num(l2.rSquared, o.lm_faceage_on_age.r_squared, 'lm2.r2');
    const tt = (r: ReturnType<typeof tTest>, ref: any, w: string) => {
      c.num(r.statistic, ref.statistic, `${w}.statistic`);
      c.num(r.df, ref.df, `${w}.df`);
      c.num(r.pValue, ref.p, `${w}.p`);
      c.arr(r.confInt, ref.conf_int, `${w}.conf_int`);
      c.arr(r.estimate, ref.estimate, `${w}.estimate`);
      c.eq(r.method, ref.method, `${w}.method`);
    };
    tt(tTest({ x: delta }), o.one_sample_t_delta_vs_0, 'one_sample');
    tt(tTest({ x: fa, y: age, paired: true }), o.paired_t_faceage_vs_age, 'paired');
    const male = delta.filter((_, i) => d.gender[i] === 0);
    const female = delta.filter((_, i) => d.gender[i] === 1);
    tt(tTest({ x: male, y: female }), o.welch_t_delta_male_vs_female, 'welch');
    tt(tTest({ x: male, y: female, varEqual: true }), o.student_t_delta_male_vs_female, 'student');
    const ba = blandAltman(fa, age);
    const B = o.bland_altman;
    c.num(ba.n, B.n, 'ba.n', { exact: true });
    c.num(ba.bias, B.bias, 'ba.bias');
    c.num(ba.sdDiff, B.sd_diff, 'ba.sd');
    c.num(ba.loaLower, B['loa_lower_1.96'], 'ba.loa_lower');
    c.num(ba.loaUpper, B['loa_upper_1.96'], 'ba.loa_upper');
    c.num(ba.loaLowerZ, B.loa_lower_z, 'ba.loa_lower_z');
    c.num(ba.loaUpperZ, B.loa_upper_z, 'ba.loa_upper_z');
    c.arr(ba.biasCi, B.bias_ci_95, 'ba.bias_ci');
    c.num(ba.loaSe, B.loa_se_approx, 'ba.loa_se');
    c.arr(ba.loaLowerCi, B.loa_lower_ci_95, 'ba.loa_lower_ci');
    c.arr(ba.loaUpperCi, B.loa_upper_ci_95, 'ba.loa_upper_ci');
    c.num(ba.proportionalBias.intercept, B.proportional_bias_lm.intercept, 'ba.pb.intercept');
    c.num(ba.proportionalBias.slope, B.proportional_bias_lm.slope, 'ba.pb.slope');
    c.num(ba.proportionalBias.pSlope, B.proportional_bias_lm.p_slope, 'ba.pb.p');
    c.num(median([3, 1, 2, 10]), 2.5, 'median');
    finish('utk.overall', c);
  });
});

describe('ROC AUC, DeLong CI and paired DeLong test (pROC)', () => {
  const cases = [
    { name: 'roc_lung', fx: loadFixture('reference/roc_lung.json') },
    { name: 'roc_synthetic', fx: loadFixture('generated/synthetic.json').roc },
  ];
  for (const { name, fx } of cases) {
    it(name, () => {
      const c = new Checker();
      const a = rocAUC(fx.labels, fx.scores_a);
      const b = rocAUC(fx.labels, fx.scores_b);
      c.num(a.auc, fx.auc_a, 'auc_a');
      c.arr([a.lower, a.upper], fx.auc_a_ci95, 'auc_a_ci95');
      c.num(b.auc, fx.auc_b, 'auc_b');
      c.arr([b.lower, b.upper], fx.auc_b_ci95, 'auc_b_ci95');
      const t = delongTest(fx.labels, fx.scores_a, fx.scores_b);
      c.num(t.aucA, fx.auc_a, 'delong.aucA');
      c.num(t.aucB, fx.auc_b, 'delong.aucB');
      c.num(t.z, fx.delong_z, 'delong_z');
      c.num(t.pValue, fx.delong_p, 'delong_p');
      finish(name, c);
    });
  }
});
