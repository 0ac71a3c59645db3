'use client';

import { CartesianGrid, ComposedChart, ReferenceLine, Scatter, XAxis, YAxis, usePlotArea, useXAxisScale, useYAxisScale } from 'recharts';
import type { CoxRow } from '~/server/services/analysis/cox.ts';
import { num, pval } from './format.ts';

export interface ForestRow extends CoxRow {
  model?: string;
}

export function rowLabel(r: ForestRow): string {
  if (r.level === null) return r.label;
  return r.isReference ? `${r.label}: ${r.level} (reference)` : `${r.label}: ${r.level} vs ${r.reference}`;
}

const LEFT = 290;
const RIGHT = 250;

function Overlay({ rows, caption, height }: { rows: ForestRow[]; caption: string; height: number }) {
  const plot = usePlotArea();
  const x = useXAxisScale();
  const y = useYAxisScale();
  if (!plot || !x || !y) return null;
  const right = plot.x + plot.width + 12;
  return (
    <g className="forest-overlay">
      <text x={8} y={plot.y - 8} fontSize={12} fontWeight="bold">
        Term
      </text>
      <text x={right} y={plot.y - 8} fontSize={12} fontWeight="bold">
        HR (95% CI)
      </text>
      <text x={right + 165} y={plot.y - 8} fontSize={12} fontWeight="bold">
        p
      </text>
      {rows.map((r, i) => {
        const cy = Number(y(i));
        const cx = Number(x(r.hr));
        return (
          <g key={i} data-forest-row={rowLabel(r)}>
            <text x={8} y={cy + 4} fontSize={12} fill={r.isReference ? '#5b6470' : '#1b1f24'}>
              {rowLabel(r)}
            </text>
            {!r.isReference && r.lower !== null && r.upper !== null && (
              <line x1={Number(x(r.lower))} x2={Number(x(r.upper))} y1={cy} y2={cy} stroke="#1b1f24" strokeWidth={1.4} />
            )}
            {r.isReference ? (
              <rect x={cx - 4} y={cy - 4} width={8} height={8} fill="#ffffff" stroke="#5b6470" />
            ) : (
              <rect x={cx - 4.5} y={cy - 4.5} width={9} height={9} fill="#0072B2" />
            )}
            <text x={right} y={cy + 4} fontSize={12}>
              {r.isReference ? 'reference' : `${num(r.hr)} (${num(r.lower)}–${num(r.upper)})`}
            </text>
            <text x={right + 165} y={cy + 4} fontSize={12}>
              {r.isReference ? '' : pval(r.p)}
            </text>
          </g>
        );
      })}
      <text x={plot.x + plot.width / 2} y={plot.y + plot.height + 34} textAnchor="middle" fontSize={13}>
        Hazard ratio (log scale)
      </text>
      {caption && (
        <text x={8} y={height - 8} fontSize={11} fill="#7a5200">
          {caption}
        </text>
      )}
    </g>
  );
}

function niceTicks(lo: number, hi: number): number[] {
  const cands = [0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 10, 20, 50];
  const within = cands.filter((t) => t >= lo && t <= hi);
  if (within.length <= 7) return within;
  return within.filter((t) => [0.1, 0.25, 0.5, 1, 2, 4, 10, 50].includes(t));
}

/** Forest plot of hazard ratios with 95% CIs on a log axis; reference levels shown hollow at 1. */
export function ForestPlot({ rows, caption }: { rows: ForestRow[]; caption: string }) {
  const finite = rows.filter((r) => !r.isReference && r.lower !== null && r.upper !== null && Number.isFinite(r.lower) && Number.isFinite(r.upper));
  let lo = Math.min(0.8, ...finite.map((r) => r.lower as number));
  let hi = Math.max(1.25, ...finite.map((r) => r.upper as number));
  lo = Math.max(lo / 1.15, 0.01);
  hi = Math.min(hi * 1.15, 100);
  const rowH = 24;
  const height = 30 + rows.length * rowH + 50 + (caption ? 18 : 0);
  const data = rows.map((r, i) => ({ hr: Math.min(Math.max(r.hr, lo), hi), i }));
  return (
    <ComposedChart width={880} height={height} margin={{ top: 24, right: RIGHT, left: LEFT - 10, bottom: 44 + (caption ? 18 : 0) }} data-testid="forest-plot">
      <CartesianGrid stroke="#ececec" horizontal={false} />
      <XAxis type="number" dataKey="hr" scale="log" domain={[lo, hi]} ticks={niceTicks(lo, hi)} allowDataOverflow tick={{ fontSize: 12 }} tickFormatter={(v: number) => String(v)} />
      <YAxis type="number" dataKey="i" domain={[-0.6, rows.length - 0.4]} reversed hide allowDataOverflow />
      <ReferenceLine x={1} stroke="#888" strokeDasharray="4 3" />
      <Scatter data={data} dataKey="i" isAnimationActive={false} shape={() => <g />} />
      <Overlay rows={rows} caption={caption} height={height} />
    </ComposedChart>
  );
}
