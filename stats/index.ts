/**
 * FaceAge statistics library — pure TypeScript equivalents of R's survival package (3.5) and
 * the comparison statistics used in the FaceAge paper. No I/O, no framework imports.
 * See docs/stats.md for conventions, accuracy and speed.
 */
export { kaplanMeier, kmQuantile, kmAtTimes, medianRule, findQuantile, restrictedMean, survConfInt } from './km.ts';
export type { KaplanMeierInput, KaplanMeierResult, ConfType } from './km.ts';
export { logRank, sortedLevels } from './logrank.ts';
export type { LogRankInput, LogRankResult, Level } from './logrank.ts';
export { coxPH, likelihoodRatioTest } from './cox.ts';
export type { CoxInput, CoxResult, ChisqTest, Ties, CoxModelData } from './cox.ts';
export { predictSurvival } from './coxsurv.ts';
export type { PredictSurvivalResult } from './coxsurv.ts';
export { coxZph } from './zph.ts';
export type { ZphResult } from './zph.ts';
export { concordance } from './concordance.ts';
export type { ConcordanceInput, ConcordanceResult } from './concordance.ts';
export { rocAUC, delongTest, timeDependentAUC } from './roc.ts';
export type { RocAucResult, DelongTestResult, TimeDependentAucResult, RocDirection } from './roc.ts';
export { tTest } from './tests.ts';
export type { TTestResult, TTestInput } from './tests.ts';
export { pearson, spearman, kendallTauB, midRanks } from './correlation.ts';
export type { PearsonResult, SpearmanResult } from './correlation.ts';
export { linearRegression, fUpper } from './regression.ts';
export type { LinearRegressionResult } from './regression.ts';
export { meanAbsoluteError, rootMeanSquaredError, medianAbsoluteError, median, blandAltman } from './agreement.ts';
export type { BlandAltmanResult } from './agreement.ts';
export { designMatrix } from './design.ts';
export type { DesignTerm, DesignMatrixResult } from './design.ts';
export {
  normalUpper,
  normalTwoSided,
  normalQuantile,
  zCritical,
  chisqUpper,
  chisqQuantile,
  tUpper,
  tTwoSided,
  tQuantile,
} from './distributions.ts';
export { StatsInputError } from './validate.ts';
