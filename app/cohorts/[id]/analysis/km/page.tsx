'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import type { Grouping } from '~/server/services/analysis/km.ts';
import { ErrorNote } from '../../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../../_lib/trpc.tsx';
import { captionFor, ChartFrame, CsvButton } from '../_lib/ChartFrame.tsx';
import { useAnalysisTarget } from '../_lib/context.tsx';
import { fileStem } from '../_lib/export.ts';
import { ci, num, pval } from '../_lib/format.ts';
import { KmChart } from '../_lib/KmChart.tsx';

type Mode = 'faceAge' | 'faceAgeQuantiles' | 'ageGap' | 'ageGapQuantiles' | 'variable' | 'none';

function parseCuts(text: string): number[] | null {
  const parts = text.split(/[,;\s]+/).filter(Boolean);
  if (parts.length === 0) return [];
  const nums = parts.map(Number);
  return nums.every(Number.isFinite) ? nums : null;
}

export default function KmPage() {
  const trpc = useTRPC();
  const { cohortId, ageModelId } = useAnalysisTarget();
  const overview = useQuery(trpc.analysis.overview.queryOptions({ cohortId, ageModelId }));
  const [mode, setMode] = useState<Mode>('faceAge');
  const [cutsText, setCutsText] = useState('65, 75, 85');
  const [gapText, setGapText] = useState('0');
  const [k, setK] = useState(4);
  const [variable, setVariable] = useState('sex');
  const [horizonText, setHorizonText] = useState('');
  const [censorAtHorizon, setCensorAtHorizon] = useState(false);
  const [showCi, setShowCi] = useState(true);
  const [confType, setConfType] = useState<'log' | 'log-log' | 'plain'>('log');
  // apply text inputs after a short pause so typing does not fire a request per key
  const [applied, setApplied] = useState({ cutsText, gapText, horizonText });
  useEffect(() => {
    const t = setTimeout(() => setApplied({ cutsText, gapText, horizonText }), 400);
    return () => clearTimeout(t);
  }, [cutsText, gapText, horizonText]);

  const categorical = (overview.data?.variables ?? []).filter((v) => v.kind === 'categorical');
  const cuts = parseCuts(applied.cutsText);
  const gapCuts = parseCuts(applied.gapText);
  const horizon = applied.horizonText.trim() === '' ? null : Number(applied.horizonText);
  const inputError =
    (mode === 'faceAge' && cuts === null && 'cut points must be numbers separated by commas') ||
    (mode === 'ageGap' && (gapCuts === null || gapCuts.length === 0) && 'give at least one age-gap threshold (years)') ||
    (horizon !== null && !(horizon > 0) && 'the horizon must be a positive number of years') ||
    '';
  const grouping: Grouping = useMemo(() => {
    switch (mode) {
      case 'faceAge':
        return { by: 'faceAge', cuts: cuts ?? [65, 75, 85] };
      case 'faceAgeQuantiles':
        return { by: 'faceAgeQuantiles', k };
      case 'ageGap':
        return { by: 'ageGap', cuts: gapCuts && gapCuts.length ? gapCuts : [0] };
      case 'ageGapQuantiles':
        return { by: 'ageGapQuantiles', k };
      case 'variable':
        return { by: 'variable', name: variable };
      default:
        return { by: 'none' };
    }
  }, [mode, cuts?.join(','), gapCuts?.join(','), k, variable]); // eslint-disable-line react-hooks/exhaustive-deps

  const km = useQuery({
    ...trpc.analysis.km.queryOptions({
      cohortId,
      ageModelId,
      options: { grouping, horizon: horizon !== null && horizon > 0 ? horizon : null, censorAtHorizon, confType, confLevel: 0.95, bins: 500 },
    }),
    enabled: !inputError,
    placeholderData: keepPreviousData,
  });
  const meta = km.data?.meta;
  const result = km.data?.result;
  const stem = fileStem(meta, 'kaplan-meier');
  const modelNote = meta && meta.ageModelKind !== 'faceage' ? ` — ${meta.modelLabel}` : '';

  return (
    <div>
      <div className="card controls" data-testid="km-controls">
        <label className="field">
          <span>Group by</span>
          <select aria-label="Group by" value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
            <option value="faceAge">FaceAge: cut points</option>
            <option value="faceAgeQuantiles">FaceAge: quantile groups</option>
            <option value="ageGap">Age gap (FaceAge − age): thresholds</option>
            <option value="ageGapQuantiles">Age gap: quantile groups</option>
            <option value="variable">A categorical variable</option>
            <option value="none">No groups (all patients)</option>
          </select>
        </label>
        {mode === 'faceAge' && (
          <label className="field">
            <span>Cut points (years)</span>
            <input aria-label="Cut points" value={cutsText} onChange={(e) => setCutsText(e.target.value)} placeholder="65, 75, 85" />
          </label>
        )}
        {mode === 'ageGap' && (
          <label className="field">
            <span>Age-gap thresholds (years)</span>
            <input aria-label="Age-gap thresholds" value={gapText} onChange={(e) => setGapText(e.target.value)} placeholder="0" />
          </label>
        )}
        {(mode === 'faceAgeQuantiles' || mode === 'ageGapQuantiles') && (
          <label className="field">
            <span>Number of groups</span>
            <select aria-label="Number of groups" value={k} onChange={(e) => setK(Number(e.target.value))}>
              {[2, 3, 4, 5].map((v) => (
                <option key={v} value={v}>
                  {v === 2 ? '2 (halves)' : v === 3 ? '3 (tertiles)' : v === 4 ? '4 (quartiles)' : '5 (quintiles)'}
                </option>
              ))}
            </select>
          </label>
        )}
        {mode === 'variable' && (
          <label className="field">
            <span>Variable</span>
            <select aria-label="Variable" value={variable} onChange={(e) => setVariable(e.target.value)}>
              {categorical.map((v) => (
                <option key={v.name} value={v.name}>
                  {v.label} ({v.levels?.length} levels)
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="field">
          <span>Follow-up horizon (years)</span>
          <input aria-label="Follow-up horizon" value={horizonText} onChange={(e) => setHorizonText(e.target.value)} placeholder="all" size={6} />
        </label>
        <label className="check">
          <input type="checkbox" checked={censorAtHorizon} onChange={(e) => setCensorAtHorizon(e.target.checked)} /> censor at horizon
        </label>
        <label className="check">
          <input type="checkbox" checked={showCi} onChange={(e) => setShowCi(e.target.checked)} aria-label="Confidence bands" /> 95% confidence bands
        </label>
        <label className="field">
          <span>CI type</span>
          <select aria-label="CI type" value={confType} onChange={(e) => setConfType(e.target.value as 'log' | 'log-log' | 'plain')}>
            <option value="log">log (R default)</option>
            <option value="log-log">log-log</option>
            <option value="plain">plain</option>
          </select>
        </label>
      </div>
      <ErrorNote message={inputError || (km.error && errorMessage(km.error))} />
      {!result && !km.error && <p className="muted">Computing…</p>}
      {result && meta && (
        <>
          <ChartFrame
            title={`Overall survival by ${result.grouping.description}${modelNote}`}
            filename={stem}
            testId="km-figure"
            csv={{
              label: 'Download curves (CSV)',
              header: ['group', 'time_years', 'survival', 'lower95', 'upper95'],
              rows: () => result.groups.flatMap((g) => g.curve.map((p) => [g.label, p.t, p.s, p.lo, p.hi])),
            }}
          >
            <KmChart result={result} showCi={showCi} caption={captionFor(meta)} />
          </ChartFrame>
          <div className="card">
            <h2>Groups{modelNote}</h2>
            <table className="num" data-testid="km-summary">
              <thead>
                <tr>
                  <th>Group</th>
                  <th className="n">n</th>
                  <th className="n">Events</th>
                  <th className="n">Median survival (y)</th>
                  <th className="n">95% CI</th>
                  <th className="n">Observed</th>
                  <th className="n">Expected</th>
                </tr>
              </thead>
              <tbody>
                {result.groups.map((g, i) => (
                  <tr key={g.label}>
                    <td>{g.label}</td>
                    <td className="n">{g.n}</td>
                    <td className="n">{g.events}</td>
                    <td className="n">{g.median === null ? 'not reached' : num(g.median)}</td>
                    <td className="n">{ci(g.medianLower, g.medianUpper)}</td>
                    <td className="n">{num(result.logRank?.observed[i], 0)}</td>
                    <td className="n">{num(result.logRank?.expected[i], 1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="stat-line" data-testid="logrank">
              {result.logRank
                ? `Log-rank test (${result.groups.length} groups): χ² = ${num(result.logRank.chisq)}, df = ${result.logRank.df}, p = ${pval(result.logRank.pValue)}`
                : 'Log-rank test needs at least two groups.'}
              {' · '}
              {result.n} patients, {result.events} deaths{result.nMissingGroup ? `, ${result.nMissingGroup} without a group value left out` : ''}
              {result.censorAtHorizon ? `, follow-up censored at ${result.horizon} years` : ''}
            </p>
            {result.warnings.map((w) => (
              <p key={w} className="muted small">
                {w}
              </p>
            ))}
            <div className="exports">
              <CsvButton
                filename={`${stem}_summary`}
                header={['group', 'n', 'events', 'median_years', 'median_lower95', 'median_upper95', 'observed', 'expected', 'logrank_chisq', 'logrank_df', 'logrank_p', 'values']}
                rows={() =>
                  result.groups.map((g, i) => [g.label, g.n, g.events, g.median, g.medianLower, g.medianUpper, result.logRank?.observed[i], result.logRank?.expected[i], result.logRank?.chisq, result.logRank?.df, result.logRank?.pValue, meta.modelLabel])
                }
                label="Download summary (CSV)"
              />
              <CsvButton
                filename={`${stem}_risk-table`}
                header={['group', ...result.ticks.map((t) => `n_at_risk_${t}y`)]}
                rows={() => result.groups.map((g) => [g.label, ...g.atTicks.map((a) => a.nRisk)])}
                label="Download risk table (CSV)"
              />
              <CsvButton
                filename={`${stem}_survival-at-ticks`}
                header={['group', 'time_years', 'n_at_risk', 'survival', 'lower95', 'upper95']}
                rows={() => result.groups.flatMap((g) => g.atTicks.map((a) => [g.label, a.t, a.nRisk, a.s, a.lo, a.hi]))}
                label="Download survival at ticks (CSV)"
              />
            </div>
          </div>
        </>
      )}
    </div>
  );
}
