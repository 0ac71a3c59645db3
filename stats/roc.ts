/**
 * ROC AUC with DeLong confidence interval and the paired DeLong test — R `pROC::auc`,
 * `pROC::ci.auc(method = "delong")`, `pROC::roc.test(method = "delong", paired = TRUE)`
 * (DeLong, DeLong & Clarke-Pearson 1988; structural components as in Sun & Xu 2014).
 * Direction is fixed: a higher score means "more likely a case" (pROC `direction = "<"`).
 *
 * Also the naive cumulative/dynamic time-dependent AUC at a horizon t (see the reference README).
 */
import { normalTwoSided, zCritical } from './distributions.ts';
import { checkSurv, fail, isMissing } from './validate.ts';

function splitLabels(labels: ArrayLike<number>, scores: ArrayLike<number>[]): { cases: number[]; controls: number[] } {
  const n = labels.length;
  for (const s of scores) if (s.length !== n) fail(`labels (${n}) and scores (${s.length}) must have equal lengths`);
  const cases: number[] = [];
  const controls: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l !== 0 && l !== 1) fail(`labels[${i}] = ${l} must be 0 or 1`);
    for (const s of scores) if (!Number.isFinite(s[i])) fail(`score[${i}] = ${s[i]} is not finite`);
    (l === 1 ? cases : controls).push(i);
  }
  if (cases.length === 0 || controls.length === 0) fail('need at least one case (label 1) and one control (label 0)');
  return { cases, controls };
}

function sortedCopy(a: number[]): Float64Array {
  return Float64Array.from(a).sort();
}
/** number of values in sorted arr strictly below v, and equal to v */
function countBelowEqual(arr: Float64Array, v: number): [number, number] {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  const below = lo;
  hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return [below, lo - below];
}

/** DeLong structural components V10 (per case) and V01 (per control). */
function components(score: ArrayLike<number>, cases: number[], controls: number[]) {
  const xc = sortedCopy(cases.map((i) => score[i]));
  const yc = sortedCopy(controls.map((i) => score[i]));
  const n1 = cases.length;
  const n0 = controls.length;
  const v10 = cases.map((i) => {
    const [b, e] = countBelowEqual(yc, score[i]);
    return (b + 0.5 * e) / n0;
  });
  const v01 = controls.map((j) => {
    const [b, e] = countBelowEqual(xc, score[j]);
    return (n1 - b - e + 0.5 * e) / n1;
  });
  let auc = 0;
  for (const v of v10) auc += v;
  auc /= n1;
  return { auc, v10, v01 };
}

function cov(a: number[], b: number[]): number {
  const n = a.length;
  if (n < 2) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] - ma) * (b[i] - mb);
  return s / (n - 1);
}

export interface RocAucResult {
  auc: number;
  lower: number;
  upper: number;
  se: number;
  nCases: number;
  nControls: number;
}

export type RocDirection = '<' | '>' | 'auto';

/**
 * pROC's direction: '<' (default here) means controls < cases, i.e. a higher score is more
 * likely a case; '>' the opposite (scores are negated); 'auto' is pROC's default rule
 * (`'<'` when median(controls) ≤ median(cases), else `'>'`).
 */
function orient(score: ArrayLike<number>, cases: number[], controls: number[], direction: RocDirection): ArrayLike<number> {
  let dir = direction;
  if (dir === 'auto') {
    const med = (idx: number[]) => {
      const v = Float64Array.from(idx.map((i) => score[i])).sort();
      const m = v.length >> 1;
      return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
    };
    dir = med(controls) <= med(cases) ? '<' : '>';
  }
  return dir === '>' ? Array.from(score as ArrayLike<number>, (v) => -v) : score;
}

/** Mann–Whitney AUC (ties ½) with DeLong CI — R `pROC::ci.auc(roc, method = "delong")`. */
export function rocAUC(labels: ArrayLike<number>, scoresIn: ArrayLike<number>, confLevel = 0.95, direction: RocDirection = '<'): RocAucResult {
  const { cases, controls } = splitLabels(labels, [scoresIn]);
  const scores = orient(scoresIn, cases, controls, direction);
  const { auc, v10, v01 } = components(scores, cases, controls);
  const v = cov(v10, v10) / cases.length + cov(v01, v01) / controls.length;
  const se = Math.sqrt(v);
  const z = zCritical(confLevel);
  return {
    auc,
    lower: Math.max(0, auc - z * se),
    upper: Math.min(1, auc + z * se),
    se,
    nCases: cases.length,
    nControls: controls.length,
  };
}

export interface DelongTestResult {
  aucA: number;
  aucB: number;
  z: number;
  pValue: number;
  /** SE of aucA − aucB */
  se: number;
}

/** Paired DeLong test of two correlated AUCs — R `pROC::roc.test(method = "delong", paired = TRUE)`. */
export function delongTest(
  labels: ArrayLike<number>,
  scoresAIn: ArrayLike<number>,
  scoresBIn: ArrayLike<number>,
  direction: RocDirection = '<',
): DelongTestResult {
  const { cases, controls } = splitLabels(labels, [scoresAIn, scoresBIn]);
  const scoresA = orient(scoresAIn, cases, controls, direction);
  const scoresB = orient(scoresBIn, cases, controls, direction);
  const A = components(scoresA, cases, controls);
  const B = components(scoresB, cases, controls);
  const n1 = cases.length;
  const n0 = controls.length;
  const v =
    (cov(A.v10, A.v10) + cov(B.v10, B.v10) - 2 * cov(A.v10, B.v10)) / n1 +
    (cov(A.v01, A.v01) + cov(B.v01, B.v01) - 2 * cov(A.v01, B.v01)) / n0;
  const se = Math.sqrt(v);
  if (!(se > 0)) fail('the two predictors give identical ROC components; DeLong test undefined');
  const z = (A.auc - B.auc) / se;
  return { aucA: A.auc, aucB: B.auc, z, pValue: normalTwoSided(z), se };
}

export interface TimeDependentAucResult {
  auc: number;
  nCases: number;
  nControls: number;
  pairsCaseGreater: number;
  pairsTied: number;
  nExcludedCensored: number;
  nExcludedMissing: number;
  excludedCensoredRows: number[];
  excludedMissingRows: number[];
  nTimeEqualEvent: number;
  nTimeEqualCensored: number;
}

/**
 * Naive cumulative/dynamic AUC at horizon t (no IPCW). No single R function: it equals
 * `wilcox.test(score[cases], score[controls])$statistic / (n1·n0)` on the case/control split below.: cases time ≤ t with event,
 * controls time > t, censored at or before t excluded; AUC = P(score_case > score_control)
 * + ½ P(tie) (Heagerty & Zheng 2005 cumulative/dynamic definition, empirical, unweighted).
 */
export function timeDependentAUC(input: {
  time: ArrayLike<number>;
  event: ArrayLike<number>;
  score: ArrayLike<number | null>;
  horizon: number;
}): TimeDependentAucResult {
  const { time, event, score, horizon } = input;
  checkSurv(time, event, { needEvent: false });
  if (score.length !== time.length) fail('score must have the same length as time');
  if (!Number.isFinite(horizon)) fail('horizon must be finite');
  const cases: number[] = [];
  const controls: number[] = [];
  const exC: number[] = [];
  const exM: number[] = [];
  let eqE = 0;
  let eqC = 0;
  for (let i = 0; i < time.length; i++) {
    if (time[i] === horizon) {
      if (event[i] === 1) eqE++;
      else eqC++;
    }
    if (isMissing(score[i])) {
      exM.push(i);
      continue;
    }
    if (time[i] > horizon) controls.push(score[i] as number);
    else if (event[i] === 1) cases.push(score[i] as number);
    else exC.push(i);
  }
  if (cases.length === 0 || controls.length === 0) fail(`no ${cases.length === 0 ? 'cases' : 'controls'} at horizon ${horizon}`);
  const yc = sortedCopy(controls);
  let greater = 0;
  let tied = 0;
  for (const s of cases) {
    const [b, e] = countBelowEqual(yc, s);
    greater += b;
    tied += e;
  }
  return {
    auc: (greater + 0.5 * tied) / (cases.length * controls.length),
    nCases: cases.length,
    nControls: controls.length,
    pairsCaseGreater: greater,
    pairsTied: tied,
    nExcludedCensored: exC.length,
    nExcludedMissing: exM.length,
    excludedCensoredRows: exC,
    excludedMissingRows: exM,
    nTimeEqualEvent: eqE,
    nTimeEqualCensored: eqC,
  };
}
