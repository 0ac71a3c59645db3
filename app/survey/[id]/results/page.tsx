'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ErrorNote } from '../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../_lib/trpc.tsx';
import { ChartFrame } from '../../_components/ChartExport.tsx';
import { downloadText, fmt, pct, pval, PART_TITLES } from '../../_components/util.ts';

const COLORS = ['#1f5fbf', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#4b5563'];

type Metric = {
  key: string; label: string; kind: string; nPatients: number; nAuc: number; auc: number | null; aucLower: number | null; aucUpper: number | null;
  cIndex: number | null; cSe: number | null; nAge: number; ageMae: number | null; ageBias: number | null; shareUnder: number | null; shareOver: number | null; accuracy: number | null;
  vsFaceAge: { n: number; aucDiff: number | null; delongP: number | null; cDiff: number | null; cDiffLower: number | null; cDiffUpper: number | null; bootstrap: number } | null;
  combined: { auc: number | null; aucLower: number | null; aucUpper: number | null; cIndex: number | null; delongPvsAlone: number | null } | null;
  km: { groups: { label: string; n: number; events: number; time: number[]; survival: number[] }[]; chisq: number | null; pValue: number | null } | null;
};

const TABLE_HEAD = ['Predictor', 'n', 'AUC (95% CI)', 'C-index', 'Age MAE', 'Under / over', 'Accuracy', 'ΔAUC vs FaceAge (DeLong p)', 'ΔC vs FaceAge (bootstrap 95% CI)', 'Rater + FaceAge AUC / C'];

function rowCells(m: Metric): string[] {
  return [
    m.label,
    String(m.nPatients),
    m.auc === null ? '—' : `${fmt(m.auc)} (${fmt(m.aucLower)}–${fmt(m.aucUpper)})`,
    fmt(m.cIndex),
    m.ageMae === null ? '—' : `${fmt(m.ageMae, 1)} y`,
    m.shareUnder === null ? '—' : `${pct(m.shareUnder)} / ${pct(m.shareOver)}`,
    pct(m.accuracy),
    m.vsFaceAge ? `${fmt(m.vsFaceAge.aucDiff)} (p ${pval(m.vsFaceAge.delongP)})` : '—',
    m.vsFaceAge ? `${fmt(m.vsFaceAge.cDiff)} (${fmt(m.vsFaceAge.cDiffLower)} to ${fmt(m.vsFaceAge.cDiffUpper)})` : '—',
    m.combined ? `${fmt(m.combined.auc)} / ${fmt(m.combined.cIndex)}` : '—',
  ];
}

function csvOf(rows: string[][]): string {
  return rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n') + '\n';
}

/** Analyst: raters vs FaceAge, per rater, profession and pooled, with paired tests, charts and exports. */
export default function ResultsPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const results = useQuery(trpc.survey.results.queryOptions({ id }, { staleTime: 60_000, refetchOnWindowFocus: false }));
  const r = results.data;
  if (results.error) return <ErrorNote message={errorMessage(results.error)} />;
  if (!r) return <p className="muted">Computing results (bootstrap)…</p>;
  return (
    <section>
      <p className="muted"><Link href="/survey">Surveys</Link> · <Link href={`/survey/${id}`}>{r.survey.name}</Link></p>
      <h1>Results: raters vs FaceAge</h1>
      <div className="card">
        <p>
          {r.survey.nPatients} patients ({r.outcome.dead6m} died within 6 months, {r.outcome.alive6m} alive at 6 months, {r.outcome.unknown6m} censored earlier) ·{' '}
          {r.survey.nRaters} raters · FaceAge score: <strong>{r.faceAgeScore === 'model' ? 'Cox model predicted 6-month survival' : '−FaceAge (no part-3 model)'}</strong>
        </p>
        <p className="muted">
          Group rows use each patient&apos;s mean rater probability (consensus); age metrics use every estimate. Combined = mean of the z-standardised rater and FaceAge scores.
          ΔC bootstrap: {r.bootstrap} resamples of patients, seeded from the survey seed.
        </p>
        <div className="row">
          <a href={`/api/survey/${id}/export?kind=answers`} download><button type="button">Download merged answers CSV</button></a>
          <a href={`/api/survey/${id}/export?kind=results`} download><button type="button" className="secondary">Download results CSV</button></a>
        </div>
      </div>
      {r.parts.map((p) => <PartResults key={p.part} part={p.part} nAnswers={p.nAnswers} metrics={p.metrics as Metric[]} surveyId={id} />)}
    </section>
  );
}

function PartResults({ part, nAnswers, metrics, surveyId }: { part: number; nAnswers: number; metrics: Metric[]; surveyId: string }) {
  const [kmKey, setKmKey] = useState(metrics.find((m) => m.kind === 'pooled')?.key ?? metrics[0]?.key);
  const bars = metrics.map((m) => ({
    name: m.label,
    auc: m.auc,
    aucErr: m.auc === null ? [0, 0] : [m.auc - (m.aucLower ?? m.auc), (m.aucUpper ?? m.auc) - m.auc],
    c: m.cIndex,
    cErr: m.cIndex === null || m.cSe === null ? [0, 0] : [1.96 * m.cSe, 1.96 * m.cSe],
  }));
  const km = metrics.find((m) => m.key === kmKey)?.km;
  const tableRows = metrics.map(rowCells);
  return (
    <div className="card" data-testid={`part-${part}`}>
      <h2>{PART_TITLES[part]}</h2>
      {nAnswers === 0 ? <p className="muted">No submitted answers yet.</p> : (
        <>
          <div style={{ overflowX: 'auto' }}>
            <table data-testid="metrics-table">
              <thead><tr>{TABLE_HEAD.map((h) => <th key={h}>{h}</th>)}</tr></thead>
              <tbody>{tableRows.map((cells, i) => <tr key={i}>{cells.map((c, j) => <td key={j} className={j ? 'num' : ''}>{c}</td>)}</tr>)}</tbody>
            </table>
          </div>
          <button type="button" className="secondary" onClick={() => downloadText(`survey-${surveyId}-part${part}-table.csv`, csvOf([TABLE_HEAD, ...tableRows]))}>Table CSV</button>
          <div className="charts" style={{ marginTop: '1rem' }}>
            <MetricBars title="ROC AUC for 6-month survival (DeLong 95% CI)" name={`survey-part${part}-auc`} bars={bars} dataKey="auc" errKey="aucErr" fill="#1f5fbf" />
            <MetricBars title="Harrell's C-index vs observed survival (±1.96 SE)" name={`survey-part${part}-cindex`} bars={bars} dataKey="c" errKey="cErr" fill="#15803d" />
            <ChartFrame title={`Kaplan–Meier: predicted alive vs dead at 6 months${km?.pValue !== null && km?.pValue !== undefined ? ` (log-rank p ${pval(km.pValue)})` : ''}`} name={`survey-part${part}-km`}>
              <select aria-label="KM predictor" value={kmKey} onChange={(e) => setKmKey(e.target.value)}>
                {metrics.filter((m) => m.km).map((m) => <option key={m.key} value={m.key}>{m.label}</option>)}
              </select>
              <ResponsiveContainer width="100%" height={300}>
                <LineChart margin={{ top: 10, right: 20, bottom: 20, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" dataKey="t" domain={[0, 'dataMax']} tickFormatter={(v) => Number(v).toFixed(1)} allowDecimals label={{ value: 'Years from photo', position: 'insideBottom', offset: -10 }} />
                  <YAxis domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} />
                  <Tooltip formatter={(v) => fmt(Number(v))} />
                  <Legend verticalAlign="top" />
                  {km?.groups.map((g, i) => (
                    <Line key={g.label} data={g.time.map((t, k) => ({ t, s: g.survival[k] }))} dataKey="s" name={`${g.label} (n=${g.n})`} type="stepAfter" dot={false} stroke={COLORS[i]} isAnimationActive={false} />
                  ))}
                </LineChart>
              </ResponsiveContainer>
            </ChartFrame>
          </div>
        </>
      )}
    </div>
  );
}

/** Bar chart of a 0–1 metric per rater group with its interval and the chance line at 0.5. */
function MetricBars({ title, name, bars, dataKey, errKey, fill }: { title: string; name: string; bars: object[]; dataKey: string; errKey: string; fill: string }) {
  return (
    <ChartFrame title={title} name={name}>
      <ResponsiveContainer width="100%" height={300}>
        <BarChart data={bars} margin={{ top: 10, right: 10, bottom: 70, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="name" angle={-30} textAnchor="end" interval={0} height={80} fontSize={11} />
          <YAxis domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} allowDataOverflow />
          <ReferenceLine y={0.5} stroke="#888" strokeDasharray="4 4" />
          <Tooltip formatter={(v) => fmt(Number(v))} />
          <Bar dataKey={dataKey} fill={fill} isAnimationActive={false}><ErrorBar dataKey={errKey} width={4} stroke="#111" /></Bar>
        </BarChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
