'use client';

import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, CartesianGrid, XAxis, YAxis, usePlotArea } from 'recharts';
import type { AgreementStats, ValidationResult } from '~/server/services/analysis/agreement.ts';
import { ErrorNote } from '../../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../../_lib/trpc.tsx';
import { captionFor, ChartFrame, CsvButton } from '../_lib/ChartFrame.tsx';
import { useAnalysisTarget } from '../_lib/context.tsx';
import { fileStem } from '../_lib/export.ts';
import { num } from '../_lib/format.ts';

function Caption({ text, height }: { text: string; height: number }) {
  const plot = usePlotArea();
  if (!plot) return null;
  const lx = plot.x + plot.width - 230;
  return (
    <g>
      <rect x={lx} y={plot.y + 6} width={12} height={12} fill="#0072B2" />
      <text x={lx + 18} y={plot.y + 16} fontSize={12}>
        MAE
      </text>
      <rect x={lx + 70} y={plot.y + 6} width={12} height={12} fill="#E69F00" />
      <text x={lx + 88} y={plot.y + 16} fontSize={12}>
        Bias (mean age gap)
      </text>
      {text && (
        <text x={8} y={height - 6} fontSize={11} fill="#7a5200">
          {text}
        </text>
      )}
    </g>
  );
}

function sections(r: ValidationResult): { name: string; groups: { group: string; stats: AgreementStats }[] }[] {
  return [
    { name: 'Overall', groups: [{ group: 'all', stats: r.overall }] },
    { name: 'Sex', groups: r.bySex },
    { name: r.raceVariable ? `Race (${r.raceVariable})` : 'Race', groups: r.byRace },
    { name: 'Age band (years)', groups: r.byAgeBand },
  ];
}

export default function ValidationPage() {
  const trpc = useTRPC();
  const { cohortId, ageModelId } = useAnalysisTarget();
  const q = useQuery(trpc.analysis.validation.queryOptions({ cohortId, ageModelId }));
  if (q.error) return <ErrorNote message={errorMessage(q.error)} />;
  const meta = q.data?.meta;
  const r = q.data?.result;
  if (!r || !meta) return <p className="muted">Computing…</p>;
  const stem = fileStem(meta, 'validation');
  const caption = captionFor(meta);
  const secs = sections(r);
  const bars = secs
    .filter((s) => s.name !== 'Overall')
    .flatMap((s) => s.groups.map((g) => ({ name: `${s.name.split(' ')[0]}: ${g.group}`, mae: g.stats.mae, bias: g.stats.bias })));
  bars.unshift({ name: 'Overall', mae: r.overall.mae, bias: r.overall.bias });
  const height = 400 + (caption ? 16 : 0);
  return (
    <div>
      <div className="card">
        <p className="muted small">
          Age-estimation accuracy on every patient of this cohort with both ages known whose photo was not culled at QA (treatment-date curation is not needed for validation). For a labelled set of healthy faces, import it as a cohort with sex and a custom covariate <code>race</code>.
          {meta.ageModelKind !== 'faceage' && <> Values: <strong>{meta.modelLabel}</strong>.</>}
        </p>
        <table className="num" data-testid="validation-table">
          <thead>
            <tr>
              <th>Subgroup</th>
              <th>Level</th>
              <th className="n">n</th>
              <th className="n">MAE (y)</th>
              <th className="n">Pearson r</th>
              <th className="n">R²</th>
              <th className="n">Bias (y)</th>
            </tr>
          </thead>
          <tbody>
            {secs.flatMap((s) =>
              s.groups.map((g, i) => (
                <tr key={`${s.name}-${g.group}`}>
                  <td>{i === 0 ? s.name : ''}</td>
                  <td>{g.group}</td>
                  <td className="n">{g.stats.n}</td>
                  <td className="n">{num(g.stats.mae)}</td>
                  <td className="n">{num(g.stats.r, 3)}</td>
                  <td className="n">{num(g.stats.rSquared, 3)}</td>
                  <td className="n">{num(g.stats.bias)}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
        {r.byRace.length === 0 && <p className="muted small">No race covariate in this cohort: the by-race rows are empty.</p>}
        <div className="exports">
          <CsvButton
            filename={`${stem}_report`}
            header={['subgroup', 'level', 'n', 'mae', 'r', 'r_squared', 'bias', 'sd_gap', 'values']}
            rows={() => secs.flatMap((s) => s.groups.map((g) => [s.name, g.group, g.stats.n, g.stats.mae, g.stats.r, g.stats.rSquared, g.stats.bias, g.stats.sdGap, meta.modelLabel]))}
            label="Download report (CSV)"
          />
        </div>
      </div>
      <ChartFrame title="Mean absolute error and bias by subgroup" filename={`${stem}_mae-bias`} testId="validation-figure">
        <BarChart width={880} height={height} data={bars} margin={{ top: 16, right: 24, left: 14, bottom: 6 + (caption ? 16 : 0) }}>
          <CartesianGrid stroke="#ececec" vertical={false} />
          <XAxis dataKey="name" interval={0} angle={-30} textAnchor="end" height={70} tick={{ fontSize: 11 }} />
          <YAxis tick={{ fontSize: 12 }} label={{ value: 'Years', angle: -90, position: 'insideLeft', fontSize: 13, style: { textAnchor: 'middle' } }} />
          <Bar dataKey="mae" name="MAE" fill="#0072B2" isAnimationActive={false} />
          <Bar dataKey="bias" name="Bias (mean gap)" fill="#E69F00" isAnimationActive={false} />
          <Caption text={caption} height={height} />
        </BarChart>
      </ChartFrame>
    </div>
  );
}
