/**
 * Survey results (analyst): rater vs FaceAge on the same patients, per part.
 *
 * Outcome: overall survival from the photo date (analysis dataset). 6-month label: alive at
 * 0.5 years (followed > 0.5 y) = 1, died within 0.5 y = 0; patients censored before 0.5 y are
 * left out of the AUC (kept in the C-index, which handles censoring).
 *
 * Score of a rater: the stated probability (0–100) of surviving 6 months (higher = longer
 * survival). Score of a group (profession, pooled): per patient the mean probability of the
 * group's raters (consensus), so each patient counts once and paired tests stay valid.
 * Age metrics of a group use every estimate of its raters.
 * FaceAge score: the part-3 Cox model's predicted 6-month survival when the survey has one,
 * otherwise −FaceAge (an older-looking face predicts shorter survival).
 *
 * Metrics: ROC AUC with DeLong 95% CI (stats/ rocAUC); Harrell's C (stats/ concordance) vs
 * observed survival; age MAE, mean error and the shares of under/over-estimates of the
 * chronological age; accuracy of the yes/no prediction; paired DeLong test rater vs FaceAge
 * (stats/ delongTest); percentile bootstrap 95% CI of C(rater) − C(FaceAge) resampling
 * patients (seeded from the survey seed); rater + FaceAge combined = mean of the two
 * z-standardised scores (over the patients both scored), with its AUC, C and DeLong test vs the
 * rater alone; Kaplan–Meier of patients predicted alive vs dead at 6 months with log-rank.
 */
import { concordance, delongTest, kaplanMeier, logRank, meanAbsoluteError, rocAUC } from '~/stats/index.ts';
import type { Db } from '../../db/client.ts';
import { analysisDataset } from '../dataset.ts';
import { UserError } from '../errors.ts';
import { outcome6m } from './fields.ts';
import { mixSeed, mulberry32 } from '../random.ts';

export const DEFAULT_BOOTSTRAP = 1000;

export interface SurveyPatient {
  itemId: string;
  patientId: string;
  recordId: string;
  position: number;
  stratum: string | null;
  sex: 'M' | 'F' | null;
  chronoAge: number | null;
  faceAge: number | null;
  survivalYears: number | null;
  event: 0 | 1 | null;
  /** 1 alive at 6 months, 0 died within 6 months, null unknown */
  alive6m: 0 | 1 | null;
  modelSurvival6m: number | null;
}

export interface SurveyRaterInfo {
  id: string;
  code: string;
  profession: string;
  submittedParts: number[];
}

export interface SurveyAnswerRow {
  raterId: string;
  itemId: string;
  part: number;
  estimatedAge: number | null;
  survive6m: boolean | null;
  survivalProbability: number | null;
  updatedAt: Date;
  submittedAt: Date | null;
}

export interface SurveyData {
  survey: { id: string; name: string; parts: number[]; seed: number; cohortId: string; ageModelId: string | null; modelInfo: unknown; sampling: string; stratifyBy: string | null };
  patients: SurveyPatient[];
  raters: SurveyRaterInfo[];
  answers: SurveyAnswerRow[];
  faceAgeScore: 'model' | 'faceage';
}

export async function loadSurveyData(db: Db, surveyId: string, opts: { includeUnsubmitted?: boolean } = {}): Promise<SurveyData> {
  const survey = await db.survey.findUnique({
    where: { id: surveyId },
    include: { items: { orderBy: { position: 'asc' } }, raters: { orderBy: { invitedAt: 'asc' } } },
  });
  if (!survey) throw new UserError('survey not found', 'NOT_FOUND');
  const ds = await analysisDataset(db, survey.cohortId, { ageModelId: survey.ageModelId ?? undefined, includeExcluded: true });
  const rowBy = new Map(ds.rows.map((r) => [r.patientId, r]));
  const patients: SurveyPatient[] = survey.items.map((it) => {
    const r = rowBy.get(it.patientId);
    const o = r ? outcome6m(r) : 'unknown';
    return {
      itemId: it.id,
      patientId: it.patientId,
      recordId: r?.recordId ?? '',
      position: it.position,
      stratum: it.stratum,
      sex: r?.sex ?? null,
      chronoAge: r?.chronoAge ?? null,
      faceAge: r?.faceAge ?? null,
      survivalYears: r?.survivalYears ?? null,
      event: r?.event ?? null,
      alive6m: o === 'alive' ? 1 : o === 'dead' ? 0 : null,
      modelSurvival6m: it.modelSurvival6m,
    };
  });
  const answers = await db.surveyAnswer.findMany({
    where: { rater: { surveyId }, ...(opts.includeUnsubmitted ? {} : { submittedAt: { not: null } }) },
    select: { raterId: true, itemId: true, part: true, estimatedAge: true, survive6m: true, survivalProbability: true, updatedAt: true, submittedAt: true },
  });
  return {
    survey: {
      id: survey.id,
      name: survey.name,
      parts: survey.parts,
      seed: survey.seed,
      cohortId: survey.cohortId,
      ageModelId: survey.ageModelId,
      modelInfo: survey.modelInfo,
      sampling: survey.sampling,
      stratifyBy: survey.stratifyBy,
    },
    patients,
    raters: survey.raters.map((r, i) => ({ id: r.id, code: `R${i + 1}`, profession: r.profession, submittedParts: r.submittedParts })),
    answers,
    faceAgeScore: survey.parts.includes(3) && patients.every((p) => p.modelSurvival6m !== null) ? 'model' : 'faceage',
  };
}

/** One predictor: a survival score per patient (higher = longer survival) and age estimates. */
export interface Predictor {
  key: string;
  label: string;
  kind: 'rater' | 'profession' | 'pooled' | 'faceage';
  profession: string | null;
  nRaters: number;
  score: Map<string, number>;
  predictedAlive: Map<string, boolean>;
  ages: { itemId: string; estimate: number }[];
}

export interface KmGroup {
  label: string;
  n: number;
  events: number;
  /** step curve: time (years) and survival, starting at (0, 1) */
  time: number[];
  survival: number[];
}

export interface PredictorMetrics {
  key: string;
  label: string;
  kind: Predictor['kind'];
  profession: string | null;
  nRaters: number;
  nPatients: number;
  nAuc: number;
  auc: number | null;
  aucLower: number | null;
  aucUpper: number | null;
  cIndex: number | null;
  cSe: number | null;
  nAge: number;
  ageMae: number | null;
  ageBias: number | null;
  shareUnder: number | null;
  shareOver: number | null;
  accuracy: number | null;
  /** paired vs FaceAge on the same patients */
  vsFaceAge: {
    n: number;
    aucDiff: number | null;
    delongZ: number | null;
    delongP: number | null;
    cDiff: number | null;
    cDiffLower: number | null;
    cDiffUpper: number | null;
    bootstrap: number;
  } | null;
  combined: { auc: number | null; aucLower: number | null; aucUpper: number | null; cIndex: number | null; delongPvsAlone: number | null } | null;
  km: { groups: KmGroup[]; chisq: number | null; df: number | null; pValue: number | null } | null;
}

const safe = <T>(f: () => T): T | null => {
  try {
    return f();
  } catch {
    return null;
  }
};

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
function sd(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** Percentile of a sorted array (R type 7). */
export function quantile7(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]) - sorted[lo]);
}

function cIndexOf(pts: SurveyPatient[], score: (p: SurveyPatient) => number): number | null {
  return safe(() => concordance({ time: pts.map((p) => p.survivalYears!), event: pts.map((p) => p.event!), score: pts.map(score) }).cIndex);
}

function kmGroup(label: string, pts: SurveyPatient[]): KmGroup {
  // A small group may have no deaths: its curve is then flat at 1, as in R.
  const fit = kaplanMeier({ time: pts.map((p) => p.survivalYears!), event: pts.map((p) => p.event!), allowNoEvents: true });
  return { label, n: pts.length, events: fit.nEvents, time: [0, ...fit.time], survival: [1, ...fit.survival] };
}

export function predictorMetrics(pred: Predictor, patients: SurveyPatient[], face: Predictor | null, opts: { bootstrap: number; seed: number }): PredictorMetrics {
  const scored = patients.filter((p) => pred.score.has(p.itemId) && p.survivalYears !== null && p.event !== null);
  const labelled = scored.filter((p) => p.alive6m !== null);
  const aucRes = safe(() => rocAUC(labelled.map((p) => p.alive6m!), labelled.map((p) => pred.score.get(p.itemId)!)));
  const cRes = safe(() => concordance({ time: scored.map((p) => p.survivalYears!), event: scored.map((p) => p.event!), score: scored.map((p) => pred.score.get(p.itemId)!) }));

  const chrono = new Map(patients.map((p) => [p.itemId, p.chronoAge]));
  const ages = pred.ages.filter((a) => chrono.get(a.itemId) !== null && chrono.get(a.itemId) !== undefined);
  const est = ages.map((a) => a.estimate);
  const act = ages.map((a) => chrono.get(a.itemId)!);
  const err = est.map((e, i) => e - act[i]);

  const withYesNo = labelled.filter((p) => pred.predictedAlive.has(p.itemId));
  const accuracy = withYesNo.length ? withYesNo.filter((p) => (pred.predictedAlive.get(p.itemId) ? 1 : 0) === p.alive6m).length / withYesNo.length : null;

  let vsFaceAge: PredictorMetrics['vsFaceAge'] = null;
  let combined: PredictorMetrics['combined'] = null;
  if (face && pred.kind !== 'faceage') {
    const both = scored.filter((p) => face.score.has(p.itemId));
    const bothL = both.filter((p) => p.alive6m !== null);
    const r = (p: SurveyPatient) => pred.score.get(p.itemId)!;
    const f = (p: SurveyPatient) => face.score.get(p.itemId)!;
    const dl = safe(() => delongTest(bothL.map((p) => p.alive6m!), bothL.map(r), bothL.map(f)));
    const cR = cIndexOf(both, r);
    const cF = cIndexOf(both, f);
    // percentile bootstrap over patients
    const diffs = bootstrapCDiff(
      both.map((p) => p.survivalYears!),
      both.map((p) => p.event!),
      both.map(r),
      both.map(f),
      both.length > 2 ? opts.bootstrap : 0,
      opts.seed,
    );
    diffs.sort((x, y) => x - y);
    vsFaceAge = {
      n: both.length,
      aucDiff: dl ? dl.aucA - dl.aucB : null,
      delongZ: dl?.z ?? null,
      delongP: dl?.pValue ?? null,
      cDiff: cR !== null && cF !== null ? cR - cF : null,
      cDiffLower: diffs.length >= 20 ? quantile7(diffs, 0.025) : null,
      cDiffUpper: diffs.length >= 20 ? quantile7(diffs, 0.975) : null,
      bootstrap: diffs.length,
    };
    if (both.length >= 3) {
      const rs = both.map(r);
      const fs = both.map(f);
      const [mr, sr, mf, sf] = [mean(rs), sd(rs), mean(fs), sd(fs)];
      if (sr > 0 && sf > 0) {
        const comb = new Map(both.map((p, i) => [p.itemId, ((rs[i] - mr) / sr + (fs[i] - mf) / sf) / 2]));
        const g = (p: SurveyPatient) => comb.get(p.itemId)!;
        const ca = safe(() => rocAUC(bothL.map((p) => p.alive6m!), bothL.map(g)));
        const cd = safe(() => delongTest(bothL.map((p) => p.alive6m!), bothL.map(g), bothL.map(r)));
        combined = { auc: ca?.auc ?? null, aucLower: ca?.lower ?? null, aucUpper: ca?.upper ?? null, cIndex: cIndexOf(both, g), delongPvsAlone: cd?.pValue ?? null };
      }
    }
  }

  let km: PredictorMetrics['km'] = null;
  const kmPts = scored.filter((p) => pred.predictedAlive.has(p.itemId));
  if (kmPts.length >= 2) {
    const alive = kmPts.filter((p) => pred.predictedAlive.get(p.itemId));
    const dead = kmPts.filter((p) => !pred.predictedAlive.get(p.itemId));
    const groups = [alive.length ? kmGroup('predicted alive at 6 months', alive) : null, dead.length ? kmGroup('predicted dead at 6 months', dead) : null].filter((g): g is KmGroup => g !== null);
    const lr = alive.length && dead.length ? safe(() => logRank({ time: kmPts.map((p) => p.survivalYears!), event: kmPts.map((p) => p.event!), group: kmPts.map((p) => (pred.predictedAlive.get(p.itemId) ? 'alive' : 'dead')) })) : null;
    km = { groups, chisq: lr?.chisq ?? null, df: lr?.df ?? null, pValue: lr?.pValue ?? null };
  }

  return {
    key: pred.key,
    label: pred.label,
    kind: pred.kind,
    profession: pred.profession,
    nRaters: pred.nRaters,
    nPatients: scored.length,
    nAuc: labelled.length,
    auc: aucRes?.auc ?? null,
    aucLower: aucRes?.lower ?? null,
    aucUpper: aucRes?.upper ?? null,
    cIndex: cRes?.cIndex ?? null,
    cSe: cRes?.se ?? null,
    nAge: ages.length,
    ageMae: ages.length ? meanAbsoluteError(est, act) : null,
    ageBias: ages.length ? mean(err) : null,
    shareUnder: ages.length ? err.filter((e) => e < 0).length / ages.length : null,
    shareOver: ages.length ? err.filter((e) => e > 0).length / ages.length : null,
    accuracy,
    vsFaceAge,
    combined,
    km,
  };
}

/** Builds the predictors of one part: each rater, each profession, pooled, and FaceAge. */
export function partPredictors(data: SurveyData, part: number): { raters: Predictor[]; groups: Predictor[]; face: Predictor } {
  const answers = data.answers.filter((a) => a.part === part);
  const raterPreds: Predictor[] = data.raters
    .map((r) => {
      const own = answers.filter((a) => a.raterId === r.id);
      return {
        key: `rater:${r.code}`,
        label: `${r.code} (${r.profession})`,
        kind: 'rater' as const,
        profession: r.profession,
        nRaters: 1,
        score: new Map(own.filter((a) => a.survivalProbability !== null).map((a) => [a.itemId, a.survivalProbability!])),
        predictedAlive: new Map(own.filter((a) => a.survive6m !== null).map((a) => [a.itemId, a.survive6m!])),
        ages: own.filter((a) => a.estimatedAge !== null).map((a) => ({ itemId: a.itemId, estimate: a.estimatedAge! })),
      };
    })
    .filter((p) => p.score.size > 0);
  const consensus = (key: string, label: string, kind: 'profession' | 'pooled', profession: string | null, members: Predictor[]): Predictor => {
    const score = new Map<string, number>();
    const alive = new Map<string, boolean>();
    for (const p of data.patients) {
      const s = members.filter((m) => m.score.has(p.itemId)).map((m) => m.score.get(p.itemId)!);
      if (s.length) score.set(p.itemId, mean(s));
      const y = members.filter((m) => m.predictedAlive.has(p.itemId)).map((m) => (m.predictedAlive.get(p.itemId) ? 1 : 0));
      if (y.length) alive.set(p.itemId, mean(y) >= 0.5);
    }
    return { key, label, kind, profession, nRaters: members.length, score, predictedAlive: alive, ages: members.flatMap((m) => m.ages) };
  };
  const professions = [...new Set(raterPreds.map((r) => r.profession!))].sort();
  const groups = [
    ...professions.map((prof) => consensus(`profession:${prof}`, `${prof} (consensus)`, 'profession', prof, raterPreds.filter((r) => r.profession === prof))),
    ...(raterPreds.length ? [consensus('pooled', 'All raters (consensus)', 'pooled', null, raterPreds)] : []),
  ];
  const useModel = data.faceAgeScore === 'model';
  const face: Predictor = {
    key: 'faceage',
    label: useModel ? 'FaceAge model (Cox, 6-month survival)' : 'FaceAge (older face = shorter survival)',
    kind: 'faceage',
    profession: null,
    nRaters: 0,
    score: new Map(
      data.patients
        .filter((p) => (useModel ? p.modelSurvival6m !== null : p.faceAge !== null))
        .map((p) => [p.itemId, useModel ? p.modelSurvival6m! * 100 : -p.faceAge!]),
    ),
    predictedAlive: useModel ? new Map(data.patients.filter((p) => p.modelSurvival6m !== null).map((p) => [p.itemId, p.modelSurvival6m! >= 0.5])) : new Map(),
    ages: data.patients.filter((p) => p.faceAge !== null).map((p) => ({ itemId: p.itemId, estimate: p.faceAge! })),
  };
  return { raters: raterPreds, groups, face };
}

/**
 * Percentile-bootstrap replicates of C(a) − C(b) (Harrell's C, higher score = longer survival),
 * resampling subjects with replacement. Each replicate equals `concordance()` on the resampled
 * rows (comparable pair: the shorter time is a death, a censored time equal to a death time
 * outlives it, tied death times and self-pairs are not comparable; tied scores count ½), computed
 * from the comparable pairs of the original data weighted by the subjects' multiplicities.
 */
export function bootstrapCDiff(time: number[], event: number[], a: number[], b: number[], reps: number, seed: number): number[] {
  const n = time.length;
  const pi: number[] = [];
  const pj: number[] = [];
  for (let i = 0; i < n; i++) {
    if (event[i] !== 1) continue;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      if (time[i] < time[j] || (time[i] === time[j] && event[j] === 0)) {
        pi.push(i);
        pj.push(j);
      }
    }
  }
  const m = pi.length;
  const I = Int32Array.from(pi);
  const J = Int32Array.from(pj);
  // concordance difference per pair: (conc_a − conc_b) ∈ {−1, −½, 0, ½, 1}
  const dc = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const i = I[k];
    const j = J[k];
    dc[k] = (a[j] > a[i] ? 1 : a[j] === a[i] ? 0.5 : 0) - (b[j] > b[i] ? 1 : b[j] === b[i] ? 0.5 : 0);
  }
  const rand = mulberry32(seed);
  const w = new Float64Array(n);
  const out: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    w.fill(0);
    for (let k = 0; k < n; k++) w[Math.floor(rand() * n)]++;
    let den = 0;
    let num = 0;
    for (let k = 0; k < m; k++) {
      const ww = w[I[k]] * w[J[k]];
      den += ww;
      num += ww * dc[k];
    }
    if (den > 0) out.push(num / den);
  }
  return out;
}

export interface SurveyResults {
  survey: SurveyData['survey'] & { nPatients: number; nRaters: number };
  faceAgeScore: 'model' | 'faceage';
  outcome: { alive6m: number; dead6m: number; unknown6m: number; events: number };
  bootstrap: number;
  parts: { part: number; nAnswers: number; metrics: PredictorMetrics[] }[];
}

export function computeResults(data: SurveyData, opts: { bootstrap?: number } = {}): SurveyResults {
  const B = opts.bootstrap ?? DEFAULT_BOOTSTRAP;
  const parts = data.survey.parts.map((part) => {
    const { raters, groups, face } = partPredictors(data, part);
    const all = [...raters, ...groups, face];
    const metrics = all.map((p, i) => predictorMetrics(p, data.patients, face, { bootstrap: B, seed: mixSeed(data.survey.seed, part, i + 1) }));
    return { part, nAnswers: data.answers.filter((a) => a.part === part).length, metrics };
  });
  return {
    survey: { ...data.survey, nPatients: data.patients.length, nRaters: data.raters.length },
    faceAgeScore: data.faceAgeScore,
    outcome: {
      alive6m: data.patients.filter((p) => p.alive6m === 1).length,
      dead6m: data.patients.filter((p) => p.alive6m === 0).length,
      unknown6m: data.patients.filter((p) => p.alive6m === null).length,
      events: data.patients.filter((p) => p.event === 1).length,
    },
    bootstrap: B,
    parts,
  };
}

export async function surveyResults(db: Db, surveyId: string, opts: { bootstrap?: number } = {}) {
  return computeResults(await loadSurveyData(db, surveyId), opts);
}
