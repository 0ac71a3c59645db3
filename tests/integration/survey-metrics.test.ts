import { describe, expect, it } from 'vitest';
import { concordance, coxPH, delongTest, predictSurvival, rocAUC } from '~/stats/index.ts';
import { analysisDataset } from '~/server/services/dataset.ts';
import { answersCsv, ANSWER_COLUMNS, resultsCsv, RESULT_COLUMNS } from '~/server/services/survey/export.ts';
import { BUILTIN_MODEL_TERMS } from '~/server/services/survey/fields.ts';
import { fitSurvivalModel } from '~/server/services/survey/model.ts';
import { itemOrder } from '~/server/services/survey/rater.ts';
import { bootstrapCDiff, computeResults, type SurveyData, type SurveyPatient } from '~/server/services/survey/results.ts';
import { mulberry32 } from '~/server/services/random.ts';
import { sampleRows } from '~/server/services/survey/sampling.ts';
import { callerFor, makeUser, useTestDatabase } from '../helpers/context.ts';
import { makeSurveyCohort } from './survey-fixtures.ts';

const P = (itemId: string, time: number, event: 0 | 1, chronoAge: number, faceAge: number, model: number | null = null): SurveyPatient => ({
  itemId,
  patientId: `p${itemId}`,
  recordId: `r${itemId}`,
  position: Number(itemId.slice(1)),
  stratum: null,
  sex: 'M',
  chronoAge,
  faceAge,
  survivalYears: time,
  event,
  alive6m: time > 0.5 ? 1 : event === 1 ? 0 : null,
  modelSurvival6m: model,
});

function data(answers: [string, string, number, number | null, boolean, number][], patients: SurveyPatient[], faceAgeScore: 'model' | 'faceage' = 'faceage'): SurveyData {
  return {
    survey: { id: 's', name: 's', parts: [1], seed: 11, cohortId: 'c', ageModelId: 'm', modelInfo: null, sampling: 'random', stratifyBy: null },
    patients,
    raters: [
      { id: 'A', code: 'R1', profession: 'oncologist', submittedParts: [1] },
      { id: 'B', code: 'R2', profession: 'nurse', submittedParts: [1] },
    ],
    answers: answers.map(([raterId, itemId, part, estimatedAge, survive6m, survivalProbability]) => ({
      raterId,
      itemId,
      part,
      estimatedAge,
      survive6m,
      survivalProbability,
      updatedAt: new Date(0),
      submittedAt: new Date(0),
    })),
    faceAgeScore,
  };
}

describe('survey metrics', () => {
  // Four patients: P1 dies at 0.2 y, P2 at 0.4 y, P3 censored alive at 1 y, P4 dies at 2 y.
  const pts = [P('i1', 0.2, 1, 60, 75), P('i2', 0.4, 1, 70, 72), P('i3', 1.0, 0, 80, 78), P('i4', 2.0, 1, 50, 52)];
  const d = data(
    [
      ['A', 'i1', 1, 65, false, 20],
      ['A', 'i2', 1, 68, true, 60],
      ['A', 'i3', 1, 80, true, 50],
      ['A', 'i4', 1, 55, true, 90],
      ['B', 'i1', 1, 60, false, 40],
      ['B', 'i2', 1, 75, false, 20],
      ['B', 'i3', 1, 70, true, 70],
      ['B', 'i4', 1, 45, true, 80],
    ],
    pts,
  );
  const res = computeResults(d, { bootstrap: 200 });
  const m = (key: string) => res.parts[0].metrics.find((x) => x.key === key)!;

  it('hand-computed AUC, C-index, MAE and under/over shares for one rater', () => {
    const a = m('rater:R1');
    // alive at 6 m: i3 (50), i4 (90); dead: i1 (20), i2 (60) → pairs 50>20, 50<60, 90>20, 90>60 → 3/4
    expect(a.auc).toBeCloseTo(0.75, 12);
    // comparable pairs (earlier time is a death): (1,2) (1,3) (1,4) (2,3) (2,4); concordant: all but (2,3) → 4/5
    expect(a.cIndex).toBeCloseTo(0.8, 12);
    // errors 5, −2, 0, 5
    expect(a.ageMae).toBeCloseTo(3, 12);
    expect(a.ageBias).toBeCloseTo(2, 12);
    expect(a.shareUnder).toBeCloseTo(0.25, 12);
    expect(a.shareOver).toBeCloseTo(0.5, 12);
    // yes/no: i1 no (dead ✓), i2 yes (dead ✗), i3 yes ✓, i4 yes ✓
    expect(a.accuracy).toBeCloseTo(0.75, 12);
  });

  it('groups use the per-patient consensus; age metrics use every estimate', () => {
    const pooled = m('pooled');
    const consensus = [30, 40, 60, 85];
    expect(pooled.auc).toBeCloseTo(rocAUC([0, 0, 1, 1], consensus).auc, 12);
    expect(pooled.auc).toBeCloseTo(1, 12);
    expect(pooled.cIndex).toBeCloseTo(concordance({ time: [0.2, 0.4, 1, 2], event: [1, 1, 0, 1], score: consensus }).cIndex, 12);
    // errors A: 5 −2 0 5, B: 0 5 −10 −5 → MAE 32/8
    expect(pooled.ageMae).toBeCloseTo(4, 12);
    expect(pooled.nAge).toBe(8);
    expect(m('profession:nurse').auc).toBeCloseTo(rocAUC([0, 0, 1, 1], [40, 20, 70, 80]).auc, 12);
  });

  it('FaceAge row, paired DeLong and seeded bootstrap match stats/', () => {
    const f = m('faceage');
    // no part-3 model: FaceAge score = −FaceAge
    expect(f.auc).toBeCloseTo(rocAUC([0, 0, 1, 1], [-75, -72, -78, -52]).auc, 12);
    expect(f.ageMae).toBeCloseTo((15 + 2 + 2 + 2) / 4, 12);
    expect(f.shareOver).toBeCloseTo(0.75, 12);
    const a = m('rater:R1');
    const dl = delongTest([0, 0, 1, 1], [20, 60, 50, 90], [-75, -72, -78, -52]);
    expect(a.vsFaceAge!.delongP).toBeCloseTo(dl.pValue, 12);
    expect(a.vsFaceAge!.aucDiff).toBeCloseTo(dl.aucA - dl.aucB, 12);
    const cF = concordance({ time: [0.2, 0.4, 1, 2], event: [1, 1, 0, 1], score: [-75, -72, -78, -52] }).cIndex;
    expect(a.vsFaceAge!.cDiff).toBeCloseTo(0.8 - cF, 12);
    expect(a.vsFaceAge!.cDiffLower!).toBeLessThanOrEqual(a.vsFaceAge!.cDiffUpper!);
    // reproducible from the survey seed
    const again = computeResults(d, { bootstrap: 200 }).parts[0].metrics.find((x) => x.key === 'rater:R1')!;
    expect(again.vsFaceAge).toEqual(a.vsFaceAge);
    // combined = mean of z-scores
    const z = (xs: number[]) => {
      const mu = xs.reduce((s, v) => s + v, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mu) ** 2, 0) / (xs.length - 1));
      return xs.map((v) => (v - mu) / sd);
    };
    const zr = z([20, 60, 50, 90]);
    const zf = z([-75, -72, -78, -52]);
    const comb = zr.map((v, i) => (v + zf[i]) / 2);
    expect(a.combined!.auc).toBeCloseTo(rocAUC([0, 0, 1, 1], comb).auc, 12);
    // KM: predicted alive {i2, i3, i4} vs dead {i1}
    expect(a.km!.groups.map((g) => g.n)).toEqual([3, 1]);
    expect(a.km!.pValue).not.toBeNull();
  });

  it('each bootstrap replicate of ΔC equals stats/ concordance on the resampled rows', () => {
    const rand = mulberry32(3);
    const n = 40;
    // rounded times and scores: ties in time, censoring at death times and tied scores all occur
    const time = Array.from({ length: n }, () => Math.round(rand() * 10) / 4 + 0.25);
    const event = time.map(() => (rand() < 0.7 ? 1 : 0));
    const a = time.map(() => Math.round(rand() * 10));
    const b = time.map((t) => Math.round(-t * 3 + rand() * 6));
    for (const seed of [1, 2, 3, 4, 5]) {
      const [rep] = bootstrapCDiff(time, event, a, b, 1, seed);
      const r = mulberry32(seed);
      const idx = Array.from({ length: n }, () => Math.floor(r() * n));
      const c = (s: number[]) => concordance({ time: idx.map((i) => time[i]), event: idx.map((i) => event[i]), score: idx.map((i) => s[i]) }).cIndex;
      expect(rep).toBeCloseTo(c(a) - c(b), 12);
    }
  });

  it('sampling and item orders are reproducible from the seeds', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ patientId: `p${String(i).padStart(2, '0')}`, g: i < 10 ? 'a' : 'b' }));
    const s1 = sampleRows(rows, { method: 'random', size: 10, seed: 5 }).map((s) => s.row.patientId);
    expect(sampleRows([...rows].reverse(), { method: 'random', size: 10, seed: 5 }).map((s) => s.row.patientId)).toEqual(s1);
    expect(sampleRows(rows, { method: 'random', size: 10, seed: 6 }).map((s) => s.row.patientId)).not.toEqual(s1);
    const st = sampleRows(rows, { method: 'stratified', size: 10, seed: 5, stratum: (r) => r.g });
    expect(st.filter((s) => s.stratum === 'a')).toHaveLength(2);
    expect(st.filter((s) => s.stratum === 'b')).toHaveLength(8);
    const items = Array.from({ length: 12 }, (_, position) => ({ position, id: `x${position}` }));
    expect(itemOrder(items, 77, 1)).toEqual(itemOrder([...items].reverse(), 77, 1));
    expect(itemOrder(items, 77, 1)).not.toEqual(itemOrder(items, 78, 1));
    expect(itemOrder(items, 77, 1)).not.toEqual(itemOrder(items, 77, 2));
  });

  it('part-3 model = stats/ coxPH + predictSurvival at 0.5 years; end to end results and CSV', async () => {
    const db = useTestDatabase();
    const coordinator = await makeUser('coordinator');
    const analyst = await makeUser('analyst');
    const raters = [await makeUser('rater'), await makeUser('rater')];
    const c = callerFor(coordinator);
    const study = await c.studies.create({ name: `Survey metrics ${Date.now()}` });
    const cohort = await makeSurveyCohort(db, { studyId: study.id, name: 'metrics', n: 60, seed: 3 });
    const ds = await analysisDataset(db, cohort.id);
    expect(ds.rows.length).toBe(60);
    const fitted = fitSurvivalModel(ds.rows, [BUILTIN_MODEL_TERMS[0]], { trainingCohortId: cohort.id, ageModelId: ds.ageModelId });
    const direct = coxPH({ time: ds.rows.map((r) => r.survivalYears!), event: ds.rows.map((r) => r.event!), covariates: { faceAge: ds.rows.map((r) => r.faceAge), chronoAge: ds.rows.map((r) => r.chronoAge) } });
    expect(fitted.info.coef[0]).toBeCloseTo(direct.coef[0], 10);
    const pred = predictSurvival(direct, { faceAge: [ds.rows[0].faceAge!], chronoAge: [ds.rows[0].chronoAge!] }, [0.5]).survival[0][0];
    expect(fitted.predict([ds.rows[0]])[0]).toBeCloseTo(pred, 10);

    const created = await c.survey.create({ cohortId: cohort.id, name: 'metrics', parts: [1, 3], vignetteFields: ['sex'], trainingCohortId: cohort.id, modelCovariates: ['chronoAge'], sampling: 'stratified', stratifyBy: 'outcome6m', size: 12, seed: 99 });
    expect(created.sampleSize).toBe(12);
    const items = await db.surveyItem.findMany({ where: { surveyId: created.id } });
    const byPatient = new Map(ds.rows.map((r) => [r.patientId, r]));
    for (const it of items) expect(it.modelSurvival6m).toBeCloseTo(fitted.predict([byPatient.get(it.patientId)!])[0]!, 10);
    // same seed, same sample
    const again = await c.survey.create({ cohortId: cohort.id, name: 'metrics again', parts: [1], sampling: 'stratified', stratifyBy: 'outcome6m', size: 12, seed: 99 });
    const items2 = await db.surveyItem.findMany({ where: { surveyId: again.id } });
    expect(new Set(items2.map((i) => i.patientId))).toEqual(new Set(items.map((i) => i.patientId)));

    for (const [k, r] of raters.entries()) {
      await c.survey.invite({ surveyId: created.id, userId: r.id, profession: k === 0 ? 'oncologist' : 'nurse' });
      const rc = callerFor(r);
      for (const part of [1, 3]) {
        for (let i = 0; i < 12; i++) {
          const v = await rc.survey.view({ surveyId: created.id, part, index: i });
          const row = byPatient.get(items.find((it) => it.id === v.item.id)!.patientId)!;
          await rc.survey.save({ surveyId: created.id, part, itemId: v.item.id, estimatedAge: Math.round(row.chronoAge! + (k ? 3 : -2)), survive6m: row.faceAge! < 70, survivalProbability: Math.max(0, Math.min(100, Math.round(150 - row.faceAge! - 10 * k))) });
        }
        await rc.survey.submitPart({ surveyId: created.id, part });
      }
    }
    const res = await callerFor(analyst).survey.results({ id: created.id, bootstrap: 100 });
    expect(res.faceAgeScore).toBe('model');
    expect(res.parts.map((p) => p.part)).toEqual([1, 3]);
    const labels = res.parts[0].metrics.map((x) => x.key);
    expect(labels).toEqual(['rater:R1', 'rater:R2', 'profession:nurse', 'profession:oncologist', 'pooled', 'faceage']);
    const face = res.parts[0].metrics.at(-1)!;
    const lab = items.map((it) => byPatient.get(it.patientId)!).map((r) => (r.survivalYears! > 0.5 ? 1 : r.event === 1 ? 0 : null));
    const keep = lab.map((l, i) => (l === null ? -1 : i)).filter((i) => i >= 0);
    expect(face.auc).toBeCloseTo(rocAUC(keep.map((i) => lab[i]!), keep.map((i) => items[i].modelSurvival6m! * 100)).auc, 10);
    // rater R1 (age −2 every time, rounding aside) underestimates
    expect(res.parts[0].metrics[0].shareUnder).toBeGreaterThan(0.8);

    const csv = await answersCsv(db, created.id, analyst.id);
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(ANSWER_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + 2 * 2 * 12);
    const rcsv = await resultsCsv(db, created.id, analyst.id, { bootstrap: 50 });
    expect(rcsv.split('\n')[0]).toBe(RESULT_COLUMNS.join(','));
    expect(rcsv.trim().split('\n')).toHaveLength(1 + 2 * 6);
    expect(await db.auditEvent.count({ where: { action: 'survey.export', entityId: created.id } })).toBe(2);
  });
});
