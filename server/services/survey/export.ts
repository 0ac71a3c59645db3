/**
 * CSV exports (analyst): the merged answers — one row per patient × rater × part, the shape of
 * the paper's survey_part{1,2}_*_out.csv (answers beside outcome, chronological age, FaceAge and
 * the model prediction) — and the results tables.
 */
import type { Db } from '../../db/client.ts';
import { audit } from '../audit.ts';
import { computeResults, loadSurveyData, type SurveyResults } from './results.ts';

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (v instanceof Date) return v.toISOString();
  let s = String(v);
  // Spreadsheet formula injection: a leading = + - @ is neutralised.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}

export const ANSWER_COLUMNS = [
  'survey_id',
  'part',
  'rater',
  'profession',
  'item_id',
  'record_id',
  'sex',
  'chrono_age',
  'faceage',
  'age_model_id',
  'model_survival_6m',
  'survival_years',
  'event',
  'alive_6m',
  'estimated_age',
  'age_error',
  'predicted_survive_6m',
  'survival_probability',
  'answered_at',
  'submitted_at',
] as const;

export async function answersCsv(db: Db, surveyId: string, actorId: string): Promise<string> {
  const data = await loadSurveyData(db, surveyId);
  const pat = new Map(data.patients.map((p) => [p.itemId, p]));
  const rater = new Map(data.raters.map((r) => [r.id, r]));
  const rows = [...data.answers]
    .sort((a, b) => a.part - b.part || rater.get(a.raterId)!.code.localeCompare(rater.get(b.raterId)!.code, 'en', { numeric: true }) || pat.get(a.itemId)!.position - pat.get(b.itemId)!.position)
    .map((a) => {
      const p = pat.get(a.itemId)!;
      const r = rater.get(a.raterId)!;
      return [
        data.survey.id,
        a.part,
        r.code,
        r.profession,
        p.itemId,
        p.recordId,
        p.sex,
        p.chronoAge,
        p.faceAge,
        data.survey.ageModelId,
        p.modelSurvival6m,
        p.survivalYears,
        p.event,
        p.alive6m,
        a.estimatedAge,
        a.estimatedAge !== null && p.chronoAge !== null ? a.estimatedAge - p.chronoAge : null,
        a.survive6m,
        a.survivalProbability,
        a.updatedAt,
        a.submittedAt,
      ];
    });
  await audit(db, { userId: actorId, action: 'survey.export', entityType: 'Survey', entityId: surveyId, details: { kind: 'answers', rows: rows.length } });
  return toCsv([...ANSWER_COLUMNS], rows);
}

export const RESULT_COLUMNS = [
  'part',
  'predictor',
  'kind',
  'profession',
  'n_raters',
  'n_patients',
  'n_auc',
  'auc',
  'auc_lower',
  'auc_upper',
  'c_index',
  'c_se',
  'n_age',
  'age_mae',
  'age_bias',
  'share_under',
  'share_over',
  'accuracy_6m',
  'auc_diff_vs_faceage',
  'delong_z',
  'delong_p',
  'c_diff_vs_faceage',
  'c_diff_lower',
  'c_diff_upper',
  'bootstrap_reps',
  'combined_auc',
  'combined_auc_lower',
  'combined_auc_upper',
  'combined_c_index',
  'combined_vs_alone_delong_p',
  'km_logrank_chisq',
  'km_logrank_p',
] as const;

export function resultsTable(res: SurveyResults): unknown[][] {
  return res.parts.flatMap(({ part, metrics }) =>
    metrics.map((m) => [
      part,
      m.label,
      m.kind,
      m.profession,
      m.nRaters,
      m.nPatients,
      m.nAuc,
      m.auc,
      m.aucLower,
      m.aucUpper,
      m.cIndex,
      m.cSe,
      m.nAge,
      m.ageMae,
      m.ageBias,
      m.shareUnder,
      m.shareOver,
      m.accuracy,
      m.vsFaceAge?.aucDiff,
      m.vsFaceAge?.delongZ,
      m.vsFaceAge?.delongP,
      m.vsFaceAge?.cDiff,
      m.vsFaceAge?.cDiffLower,
      m.vsFaceAge?.cDiffUpper,
      m.vsFaceAge?.bootstrap,
      m.combined?.auc,
      m.combined?.aucLower,
      m.combined?.aucUpper,
      m.combined?.cIndex,
      m.combined?.delongPvsAlone,
      m.km?.chisq,
      m.km?.pValue,
    ]),
  );
}

export async function resultsCsv(db: Db, surveyId: string, actorId: string, opts: { bootstrap?: number } = {}): Promise<string> {
  const res = computeResults(await loadSurveyData(db, surveyId), opts);
  await audit(db, { userId: actorId, action: 'survey.export', entityType: 'Survey', entityId: surveyId, details: { kind: 'results' } });
  return toCsv([...RESULT_COLUMNS], resultsTable(res));
}
