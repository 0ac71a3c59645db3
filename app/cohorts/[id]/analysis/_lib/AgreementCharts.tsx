'use client';

import { Bar, BarChart, CartesianGrid, ComposedChart, ErrorBar, ReferenceLine, Scatter, XAxis, YAxis, usePlotArea } from 'recharts';
import type { AgreementResult, SubgroupResult } from '~/server/services/analysis/agreement.ts';
import { num, pval } from './format.ts';

function Caption({ text, height, lines }: { text: string; height: number; lines?: string[] }) {
  const plot = usePlotArea();
  if (!plot) return null;
  return (
    <g>
      {lines?.map((l, i) => (
        <text key={i} x={plot.x + 10} y={plot.y + 18 + 17 * i} fontSize={12}>
          {l}
        </text>
      ))}
      {text && (
        <text x={8} y={height - 6} fontSize={11} fill="#7a5200">
          {text}
        </text>
      )}
    </g>
  );
}

/** FaceAge against chronological age with the fitted regression line and the identity line. */
export function AgreementScatter({ result, caption, valueLabel }: { result: AgreementResult; caption: string; valueLabel: string }) {
  const s = result.stats;
  const ages = result.points.map((p) => p.age);
  const faces = result.points.map((p) => p.faceAge);
  const lo = Math.floor(Math.min(...ages, ...faces) / 10) * 10;
  const hi = Math.ceil(Math.max(...ages, ...faces) / 10) * 10;
  const ticks: number[] = [];
  for (let t = lo; t <= hi; t += 10) ticks.push(t);
  const height = 540 + (caption ? 16 : 0);
  const line: [{ x: number; y: number }, { x: number; y: number }] | null =
    s.intercept !== null && s.slope !== null ? [{ x: lo, y: s.intercept + s.slope * lo }, { x: hi, y: s.intercept + s.slope * hi }] : null;
  return (
    <ComposedChart width={560} height={height} margin={{ top: 16, right: 24, left: 14, bottom: 34 + (caption ? 16 : 0) }} data-testid="agreement-scatter">
      <CartesianGrid stroke="#ececec" />
      <XAxis type="number" dataKey="age" domain={[lo, hi]} ticks={ticks} tick={{ fontSize: 12 }} label={{ value: 'Chronological age (years)', position: 'insideBottom', offset: -22, fontSize: 13 }} allowDataOverflow />
      <YAxis type="number" dataKey="faceAge" domain={[lo, hi]} ticks={ticks} tick={{ fontSize: 12 }} label={{ value: `${valueLabel} (years)`, angle: -90, position: 'insideLeft', offset: 4, fontSize: 13, style: { textAnchor: 'middle' } }} allowDataOverflow />
      <ReferenceLine segment={[{ x: lo, y: lo }, { x: hi, y: hi }]} stroke="#999" strokeDasharray="4 3" />
      <Scatter data={result.points} fill="#0072B2" fillOpacity={0.35} isAnimationActive={false} shape={(p: { cx?: number; cy?: number }) => <circle cx={p.cx} cy={p.cy} r={2.2} fill="#0072B2" fillOpacity={0.35} />} />
      {line && <ReferenceLine segment={line} stroke="#D55E00" strokeWidth={2} />}
      <Caption
        text={caption}
        height={height}
        lines={[
          `r = ${num(s.r, 3)}, R² = ${num(s.rSquared, 3)}, n = ${s.n}`,
          `MAE = ${num(s.mae)} y, bias = ${num(s.bias)} y`,
          `fit: ${num(s.intercept)} + ${num(s.slope, 3)} × age`,
        ]}
      />
    </ComposedChart>
  );
}

export function GapHistogram({ result, caption }: { result: AgreementResult; caption: string }) {
  const data = result.histogram.map((b) => ({ mid: (b.from + b.to) / 2, count: b.count }));
  const height = 340 + (caption ? 16 : 0);
  const w = result.histogram.length ? result.histogram[0].to - result.histogram[0].from : 1;
  const lo = result.histogram[0]?.from ?? 0;
  const hi = result.histogram[result.histogram.length - 1]?.to ?? 1;
  const step = hi - lo > 60 ? 10 : 5;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
  return (
    <BarChart width={560} height={height} data={data} barCategoryGap={0} margin={{ top: 16, right: 24, left: 14, bottom: 34 + (caption ? 16 : 0) }} data-testid="gap-histogram">
      <CartesianGrid stroke="#ececec" vertical={false} />
      <XAxis type="number" dataKey="mid" domain={[lo, hi]} ticks={ticks} tick={{ fontSize: 12 }} label={{ value: 'Age gap: FaceAge − chronological age (years)', position: 'insideBottom', offset: -22, fontSize: 13 }} />
      <YAxis tick={{ fontSize: 12 }} label={{ value: 'Patients', angle: -90, position: 'insideLeft', fontSize: 13, style: { textAnchor: 'middle' } }} />
      <Bar dataKey="count" fill="#56B4E9" stroke="#0072B2" isAnimationActive={false} barSize={Math.max(2, (490 / ((hi - lo) / w)) * 0.95)} />
      <ReferenceLine x={0} stroke="#333" strokeDasharray="4 3" />
      <Caption text={caption} height={height} lines={[`mean ${num(result.stats.bias)} y, SD ${num(result.stats.sdGap)} y`]} />
    </BarChart>
  );
}

/** Mean age gap (±95% CI of the mean) by level of one subgroup variable. */
export function SubgroupBars({ sub, caption }: { sub: SubgroupResult; caption: string }) {
  const data = sub.levels.map((l) => {
    const half = l.sd !== null && l.n > 1 ? (1.96 * l.sd) / Math.sqrt(l.n) : 0;
    return { level: l.level, mean: l.mean, err: half, p: l.test ? pval(l.test.pValue) : l.level === sub.reference ? 'ref.' : '' };
  });
  const height = 320 + (caption ? 16 : 0);
  return (
    <BarChart width={560} height={height} data={data} margin={{ top: 16, right: 24, left: 14, bottom: 50 + (caption ? 16 : 0) }} data-testid="subgroup-bars">
      <CartesianGrid stroke="#ececec" vertical={false} />
      <XAxis dataKey="level" tick={{ fontSize: 12 }} interval={0} label={{ value: sub.label, position: 'insideBottom', offset: -30, fontSize: 13 }} tickFormatter={(v: string, i: number) => `${v} (p ${data[i]?.p ?? ''})`} />
      <YAxis tick={{ fontSize: 12 }} label={{ value: 'Mean age gap (years)', angle: -90, position: 'insideLeft', fontSize: 13, style: { textAnchor: 'middle' } }} />
      <ReferenceLine y={0} stroke="#333" />
      <Bar dataKey="mean" fill="#E69F00" isAnimationActive={false}>
        <ErrorBar dataKey="err" width={6} stroke="#333" direction="y" />
      </Bar>
      <Caption text={caption} height={height} />
    </BarChart>
  );
}
