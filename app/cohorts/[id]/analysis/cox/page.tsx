'use client';

import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { TermSpec } from '~/server/services/analysis/cox.ts';
import { ErrorNote } from '../../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../../_lib/trpc.tsx';
import { captionFor, ChartFrame, CsvButton } from '../_lib/ChartFrame.tsx';
import { useAnalysisTarget } from '../_lib/context.tsx';
import { downloadCsv, fileStem } from '../_lib/export.ts';
import { ForestPlot, rowLabel } from '../_lib/ForestPlot.tsx';
import { num, pval } from '../_lib/format.ts';

interface Choice {
  on: boolean;
  scale: number;
  reference: string;
}

const DEFAULT_ON: Record<string, number | null> = { faceAge: 10, chronoAge: 10, sex: null, site: null, ecog: 1 };

export default function CoxPage() {
  const trpc = useTRPC();
  const { cohortId, ageModelId } = useAnalysisTarget();
  const overview = useQuery(trpc.analysis.overview.queryOptions({ cohortId, ageModelId }));
  const variables = (overview.data?.variables ?? []).filter((v) => v.kind === 'numeric' || (v.levels && v.levels.length >= 2 && v.levels.length <= 30));
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [mode, setMode] = useState<'multivariable' | 'univariable'>('multivariable');
  const [applied, setApplied] = useState<{ terms: TermSpec[]; mode: 'multivariable' | 'univariable' } | null>(null);
  const [horizonsText, setHorizonsText] = useState('0.5, 1, 2');

  // initial choice: the paper's multivariable model (FaceAge and age per decade, sex, site, ECOG)
  useEffect(() => {
    if (!overview.data || Object.keys(choices).length) return;
    const init: Record<string, Choice> = {};
    for (const v of overview.data.variables) {
      const d = DEFAULT_ON[v.name];
      init[v.name] = { on: d !== undefined, scale: d ?? v.defaultScale ?? 1, reference: v.reference ?? v.levels?.[0] ?? '' };
    }
    setChoices(init);
    setApplied({ terms: termsOf(init), mode: 'multivariable' });
  }, [overview.data]); // eslint-disable-line react-hooks/exhaustive-deps

  function termsOf(c: Record<string, Choice>): TermSpec[] {
    const vars = overview.data?.variables ?? [];
    return vars
      .filter((v) => c[v.name]?.on)
      .map((v) =>
        v.kind === 'numeric'
          ? { variable: v.name, type: 'numeric' as const, scale: c[v.name].scale > 0 ? c[v.name].scale : 1 }
          : { variable: v.name, type: 'factor' as const, reference: c[v.name].reference || null },
      );
  }

  const cox = useQuery({
    ...trpc.analysis.cox.queryOptions({ cohortId, ageModelId, options: { terms: applied?.terms ?? [], mode: applied?.mode ?? 'multivariable', ties: 'efron', faceAgeLrt: true, zphAlpha: 0.05 } }),
    enabled: !!applied && applied.terms.length > 0,
    placeholderData: keepPreviousData,
  });
  const predict = useMutation(trpc.analysis.predictions.mutationOptions());
  const meta = cox.data?.meta;
  const result = cox.data?.result;
  const stem = fileStem(meta, 'cox');
  const modelNote = meta && meta.ageModelKind !== 'faceage' ? ` — ${meta.modelLabel}` : '';
  const set = (name: string, patch: Partial<Choice>) => setChoices((c) => ({ ...c, [name]: { ...c[name], ...patch } }));
  const selected = termsOf(choices);

  async function downloadPredictions() {
    const horizons = horizonsText.split(/[,;\s]+/).filter(Boolean).map(Number);
    if (!horizons.length || horizons.some((h) => !(h > 0))) return;
    const res = await predict.mutateAsync({ cohortId, ageModelId, options: { terms: applied?.terms ?? selected, ties: 'efron', horizons } });
    const r = res.result;
    const keep = r.horizons.map((_, k) => k).filter((k) => !r.omittedHorizons.includes(r.horizons[k]));
    downloadCsv(
      fileStem(res.meta, 'predicted-survival'),
      ['record_id', 'linear_predictor', ...keep.map((k) => `survival_${r.horizons[k]}y`), 'values'],
      r.patients.map((p) => [p.recordId, p.linearPredictor, ...keep.map((k) => p.survival[k]), res.meta.modelLabel]),
    );
  }

  return (
    <div>
      <div className="card">
        <h2>Model</h2>
        <table className="terms small" data-testid="cox-terms">
          <thead>
            <tr>
              <th>Use</th>
              <th>Variable</th>
              <th>Type</th>
              <th>Scale / reference level</th>
            </tr>
          </thead>
          <tbody>
            {variables.map((v) => {
              const c = choices[v.name];
              if (!c) return null;
              return (
                <tr key={v.name}>
                  <td>
                    <input type="checkbox" aria-label={`use ${v.label}`} checked={c.on} onChange={(e) => set(v.name, { on: e.target.checked })} />
                  </td>
                  <td>{v.label}</td>
                  <td className="muted">{v.kind === 'numeric' ? 'numeric' : `categorical (${v.levels?.length} levels)`}</td>
                  <td>
                    {v.kind === 'numeric' ? (
                      <label>
                        per{' '}
                        <input type="number" min={0.001} step="any" aria-label={`scale of ${v.label}`} value={c.scale} onChange={(e) => set(v.name, { scale: Number(e.target.value) })} /> units
                      </label>
                    ) : (
                      <label>
                        reference{' '}
                        <select aria-label={`reference of ${v.label}`} value={c.reference} onChange={(e) => set(v.name, { reference: e.target.value })}>
                          {v.levels?.map((l) => (
                            <option key={l} value={l}>
                              {l}
                            </option>
                          ))}
                        </select>
                      </label>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div className="controls" style={{ marginTop: '.6rem' }}>
          <label className="field">
            <span>Models</span>
            <select aria-label="Model type" value={mode} onChange={(e) => setMode(e.target.value as 'multivariable' | 'univariable')}>
              <option value="multivariable">one multivariable model</option>
              <option value="univariable">univariable (one model per term)</option>
            </select>
          </label>
          <button type="button" disabled={selected.length === 0} onClick={() => setApplied({ terms: selected, mode })}>
            Fit Cox model
          </button>
          {cox.isFetching && <span className="muted">fitting…</span>}
        </div>
      </div>
      <ErrorNote message={cox.error && errorMessage(cox.error)} />
      {result && meta && (
        <>
          {result.zphWarning && (
            <p className="banner warn" role="alert" data-testid="zph-warning">
              {result.zphWarning}
            </p>
          )}
          <ChartFrame
            title={`Hazard ratios: ${result.mode === 'multivariable' ? 'multivariable Cox model' : 'univariable Cox models'}${modelNote}`}
            filename={`${stem}_forest`}
            testId="forest-figure"
          >
            <ForestPlot rows={result.rows} caption={captionFor(meta)} />
          </ChartFrame>
          <div className="card">
            <h2>Hazard ratios{modelNote}</h2>
            <table className="num" data-testid="cox-table">
              <thead>
                <tr>
                  {result.mode === 'univariable' && <th>Model</th>}
                  <th>Term</th>
                  <th className="n">HR</th>
                  <th className="n">95% CI</th>
                  <th className="n">p</th>
                  <th className="n">n</th>
                  <th className="n">Events</th>
                </tr>
              </thead>
              <tbody>
                {result.models.flatMap((m) =>
                  m.model.rows.map((r, i) => (
                    <tr key={`${m.label}-${i}`}>
                      {result.mode === 'univariable' && <td>{i === 0 ? m.label : ''}</td>}
                      <td>{rowLabel(r)}</td>
                      <td className="n">{r.isReference ? '1 (ref.)' : num(r.hr, 3)}</td>
                      <td className="n">{r.isReference ? '' : `${num(r.lower, 3)}–${num(r.upper, 3)}`}</td>
                      <td className="n">{r.isReference ? '' : pval(r.p)}</td>
                      <td className="n">{r.n}</td>
                      <td className="n">{r.events}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
            {result.models.map((m) => (
              <p key={m.label} className="stat-line small">
                {result.mode === 'univariable' ? `${m.label}: ` : ''}n = {m.model.n}, events = {m.model.events}
                {m.model.nDropped ? ` (${m.model.nDropped} with missing values left out)` : ''} · concordance C = {num(m.model.concordance, 3)} (SE {num(m.model.concordanceSe, 3)}) · LR test χ² = {num(m.model.lrTest.chisq)} on{' '}
                {m.model.lrTest.df} df, p = {pval(m.model.lrTest.pValue)} · Wald p = {pval(m.model.waldTest.pValue)} · score p = {pval(m.model.scoreTest.pValue)}
              </p>
            ))}
            <div className="exports">
              <CsvButton
                filename={`${stem}_hazard-ratios`}
                header={['model', 'term', 'level', 'reference', 'hr', 'lower95', 'upper95', 'p', 'coef', 'se', 'n', 'events', 'concordance', 'values']}
                rows={() =>
                  result.models.flatMap((m) =>
                    m.model.rows.map((r) => [m.label, r.label, r.level, r.reference, r.hr, r.lower, r.upper, r.p, r.coef, r.se, r.n, r.events, m.model.concordance, meta.modelLabel]),
                  )
                }
              />
            </div>
          </div>
          {result.faceAgeLrt && (
            <div className="card" data-testid="faceage-lrt">
              <h2>Does FaceAge add to the clinical model?{modelNote}</h2>
              <p className="stat-line">
                Likelihood-ratio test of adding <strong>{result.faceAgeLrt.added}</strong> to{' '}
                {result.faceAgeLrt.clinicalTerms.length ? `the clinical model (${result.faceAgeLrt.clinicalTerms.join(', ')})` : 'the null model'}: χ² ={' '}
                {num(result.faceAgeLrt.chisq)}, df = {result.faceAgeLrt.df}, <strong>p = {pval(result.faceAgeLrt.pValue)}</strong> (n = {result.faceAgeLrt.n}, {result.faceAgeLrt.events} events; both models fitted on the same
                patients).
              </p>
              <CsvButton
                filename={`${stem}_faceage-lrt`}
                header={['clinical_terms', 'added', 'chisq', 'df', 'p', 'n', 'events', 'loglik_clinical', 'loglik_full', 'values']}
                rows={() => [[result.faceAgeLrt!.clinicalTerms.join('; '), result.faceAgeLrt!.added, result.faceAgeLrt!.chisq, result.faceAgeLrt!.df, result.faceAgeLrt!.pValue, result.faceAgeLrt!.n, result.faceAgeLrt!.events, result.faceAgeLrt!.logLikClinical, result.faceAgeLrt!.logLikFull, meta.modelLabel]]}
              />
            </div>
          )}
          <div className="card">
            <h2>Proportional-hazards check (cox.zph)</h2>
            {result.models.map((m) =>
              m.model.zph ? (
                <table key={m.label} className="num small" data-testid="zph-table">
                  <thead>
                    <tr>
                      <th>{result.mode === 'univariable' ? m.label : 'Term'}</th>
                      <th className="n">χ²</th>
                      <th className="n">df</th>
                      <th className="n">p</th>
                    </tr>
                  </thead>
                  <tbody>
                    {m.model.zph.terms.map((t) => (
                      <tr key={t.term}>
                        <td>{t.label}</td>
                        <td className="n">{num(t.chisq, 3)}</td>
                        <td className="n">{t.df}</td>
                        <td className="n" style={{ color: t.pValue < 0.05 ? 'var(--bad)' : undefined }}>
                          {pval(t.pValue)}
                        </td>
                      </tr>
                    ))}
                    {result.mode === 'multivariable' && (
                      <tr>
                        <td>
                          <strong>Global</strong>
                        </td>
                        <td className="n">{num(m.model.zph.global.chisq, 3)}</td>
                        <td className="n">{m.model.zph.global.df}</td>
                        <td className="n">{pval(m.model.zph.global.pValue)}</td>
                      </tr>
                    )}
                  </tbody>
                </table>
              ) : null,
            )}
            {!result.zphWarning && <p className="muted small">No evidence against proportional hazards at the 5% level.</p>}
          </div>
          {result.warnings.length > 0 && (
            <div className="card">
              {result.warnings.map((w) => (
                <p key={w} className="muted small">
                  {w}
                </p>
              ))}
            </div>
          )}
          <div className="card">
            <h2>Predicted survival per patient</h2>
            <p className="muted small">
              From the multivariable model with the terms above: S(t | x) = exp(−Λ₀(t)·e^lp) as R&apos;s survfit(fit, newdata), e.g. 6-month survival (0.5 years) as used in the paper&apos;s survey.
            </p>
            <div className="controls">
              <label className="field">
                <span>Horizons (years)</span>
                <input aria-label="Prediction horizons" value={horizonsText} onChange={(e) => setHorizonsText(e.target.value)} />
              </label>
              <button type="button" className="secondary" disabled={predict.isPending} onClick={() => void downloadPredictions()}>
                {predict.isPending ? 'Computing…' : 'Download predicted survival (CSV)'}
              </button>
            </div>
            <ErrorNote message={predict.error && errorMessage(predict.error)} />
          </div>
        </>
      )}
    </div>
  );
}
