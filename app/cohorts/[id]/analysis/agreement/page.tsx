'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNote } from '../../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../../_lib/trpc.tsx';
import { AgreementScatter, GapHistogram, SubgroupBars } from '../_lib/AgreementCharts.tsx';
import { captionFor, ChartFrame, CsvButton } from '../_lib/ChartFrame.tsx';
import { useAnalysisTarget } from '../_lib/context.tsx';
import { fileStem } from '../_lib/export.ts';
import { num, pval } from '../_lib/format.ts';

export default function AgreementPage() {
  const trpc = useTRPC();
  const { cohortId, ageModelId } = useAnalysisTarget();
  const q = useQuery(trpc.analysis.agreement.queryOptions({ cohortId, ageModelId }));
  const [subVar, setSubVar] = useState('smoking');
  const meta = q.data?.meta;
  const result = q.data?.result;
  if (q.error) return <ErrorNote message={errorMessage(q.error)} />;
  if (!result || !meta) return <p className="muted">Computing…</p>;
  const stem = fileStem(meta, 'agreement');
  const caption = captionFor(meta);
  const valueLabel = meta.ageModelKind === 'faceage' ? 'FaceAge' : meta.ageModelKind === 'baseline' ? 'Estimated age, baseline (not FaceAge)' : 'FaceAge (synthetic)';
  const s = result.stats;
  const sub = result.subgroups.find((g) => g.variable === subVar) ?? result.subgroups[0];
  return (
    <div>
      <div className="card">
        <p className="stat-line" data-testid="agreement-stats">
          {valueLabel} vs chronological age: n = {s.n}, Pearson r = {num(s.r, 3)} (95% CI {num(s.rCi?.[0], 3)}–{num(s.rCi?.[1], 3)}), R² = {num(s.rSquared, 3)}, Spearman ρ = {num(s.spearmanRho, 3)}, MAE = {num(s.mae)} years, bias (mean
          age gap) = {num(s.bias)} years (SD {num(s.sdGap)}).
        </p>
        <CsvButton
          filename={`${stem}_statistics`}
          header={['n', 'r', 'r_lower95', 'r_upper95', 'r_p', 'r_squared', 'spearman_rho', 'mae', 'bias', 'sd_gap', 'intercept', 'slope', 'values']}
          rows={() => [[s.n, s.r, s.rCi?.[0], s.rCi?.[1], s.rP, s.rSquared, s.spearmanRho, s.mae, s.bias, s.sdGap, s.intercept, s.slope, meta.modelLabel]]}
          label="Download statistics (CSV)"
        />
      </div>
      <div className="grid2">
        <ChartFrame
          title={`${valueLabel} against chronological age`}
          filename={`${stem}_scatter`}
          testId="scatter-figure"
          csv={{ header: ['record_id', 'chronological_age', 'face_age'], rows: () => result.points.map((p) => [p.recordId, p.age, p.faceAge]), label: 'Download points (CSV)' }}
        >
          <AgreementScatter result={result} caption={caption} valueLabel={valueLabel} />
          {result.pointsSampled && <p className="muted small">Showing a random sample of {result.points.length} of {s.n} patients; statistics use all.</p>}
        </ChartFrame>
        <ChartFrame
          title="Age gap (FaceAge − chronological age)"
          filename={`${stem}_gap-histogram`}
          testId="histogram-figure"
          csv={{ header: ['from', 'to', 'count'], rows: () => result.histogram.map((b) => [b.from, b.to, b.count]), label: 'Download bins (CSV)' }}
        >
          <GapHistogram result={result} caption={caption} />
        </ChartFrame>
      </div>
      <div className="card">
        <h2>Age gap by subgroup{meta.ageModelKind !== 'faceage' ? ` — ${meta.modelLabel}` : ''}</h2>
        <p className="muted small">Welch two-sample t-test of each level against the reference level (listed first: never smokers, ECOG 0, normal BMI, else the first level).</p>
        <table className="num" data-testid="subgroup-table">
          <thead>
            <tr>
              <th>Variable</th>
              <th>Level</th>
              <th className="n">n</th>
              <th className="n">Mean gap</th>
              <th className="n">SD</th>
              <th className="n">Difference vs ref.</th>
              <th className="n">t</th>
              <th className="n">df</th>
              <th className="n">p</th>
            </tr>
          </thead>
          <tbody>
            {result.subgroups.flatMap((g) =>
              g.levels.map((l, i) => (
                <tr key={`${g.variable}-${l.level}`}>
                  <td>{i === 0 ? g.label : ''}</td>
                  <td>
                    {l.level}
                    {l.level === g.reference ? ' (ref.)' : ''}
                  </td>
                  <td className="n">{l.n}</td>
                  <td className="n">{num(l.mean)}</td>
                  <td className="n">{num(l.sd)}</td>
                  <td className="n">{l.test ? `${num(l.test.diff)} (${num(l.test.confInt[0])}–${num(l.test.confInt[1])})` : ''}</td>
                  <td className="n">{l.test ? num(l.test.statistic) : ''}</td>
                  <td className="n">{l.test ? num(l.test.df, 1) : ''}</td>
                  <td className="n">{l.test ? pval(l.test.pValue) : ''}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
        <div className="exports">
          <CsvButton
            filename={`${stem}_subgroups`}
            header={['variable', 'level', 'reference', 'n', 'mean_gap', 'sd_gap', 'diff_vs_reference', 'diff_lower95', 'diff_upper95', 't', 'df', 'p', 'values']}
            rows={() =>
              result.subgroups.flatMap((g) =>
                g.levels.map((l) => [g.label, l.level, g.reference, l.n, l.mean, l.sd, l.test?.diff, l.test?.confInt[0], l.test?.confInt[1], l.test?.statistic, l.test?.df, l.test?.pValue, meta.modelLabel]),
              )
            }
            label="Download subgroup table (CSV)"
          />
        </div>
      </div>
      {sub && (
        <ChartFrame title={`Mean age gap by ${sub.label} (±95% CI)`} filename={`${stem}_gap-by-${sub.variable}`} testId="subgroup-figure">
          <div className="controls" style={{ marginBottom: '.5rem' }}>
            <label className="field">
              <span>Subgroup</span>
              <select aria-label="Subgroup" value={sub.variable} onChange={(e) => setSubVar(e.target.value)}>
                {result.subgroups.map((g) => (
                  <option key={g.variable} value={g.variable}>
                    {g.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <SubgroupBars sub={sub} caption={caption} />
        </ChartFrame>
      )}
    </div>
  );
}
