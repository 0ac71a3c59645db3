'use client';

import { Area, CartesianGrid, ComposedChart, Line, Scatter, XAxis, YAxis, usePlotArea, useXAxisScale } from 'recharts';
import type { KmResult } from '~/server/services/analysis/km.ts';
import { color, num, pval } from './format.ts';

const WIDTH = 880;

function Overlay({ result, caption, labelWidth, height }: { result: KmResult; caption: string; labelWidth: number; height: number }) {
  const plot = usePlotArea();
  const x = useXAxisScale();
  if (!plot || !x) return null;
  const bottom = plot.y + plot.height;
  const tableTop = bottom + 52;
  const legendX = plot.x + plot.width - 250;
  return (
    <g className="km-overlay">
      <text x={plot.x + plot.width / 2} y={bottom + 34} textAnchor="middle" fontSize={13}>
        Time since photo (years)
      </text>
      <text transform={`translate(${plot.x - 46},${plot.y + plot.height / 2}) rotate(-90)`} textAnchor="middle" fontSize={13}>
        Overall survival probability
      </text>
      <text x={8} y={tableTop} fontSize={12} fontWeight="bold">
        Number at risk
      </text>
      {result.groups.map((g, i) => (
        <g key={g.label} data-risk-row={g.label}>
          <text x={plot.x - 52} y={tableTop + 18 * (i + 1)} textAnchor="end" fontSize={12} fill={color(i)} fontWeight="bold">
            {g.label}
          </text>
          {g.atTicks.map((a) => (
            <text key={a.t} x={Number(x(a.t))} y={tableTop + 18 * (i + 1)} textAnchor="middle" fontSize={12}>
              {a.nRisk}
            </text>
          ))}
        </g>
      ))}
      <g className="km-legend">
        {result.groups.map((g, i) => (
          <g key={g.label}>
            <line x1={legendX} x2={legendX + 22} y1={plot.y + 14 + i * 18} y2={plot.y + 14 + i * 18} stroke={color(i)} strokeWidth={2.5} />
            <text x={legendX + 28} y={plot.y + 18 + i * 18} fontSize={12}>
              {`${g.label}  (n = ${g.n}, median ${g.median === null ? 'not reached' : `${num(g.median)} y`})`}
            </text>
          </g>
        ))}
      </g>
      {result.logRank && (
        <text x={plot.x + 10} y={bottom - 12} fontSize={13}>
          {`Log-rank χ² = ${num(result.logRank.chisq)}, df = ${result.logRank.df}, p = ${pval(result.logRank.pValue)}`}
        </text>
      )}
      {caption && (
        <text x={8} y={height - 8} fontSize={11} fill="#7a5200">
          {caption}
        </text>
      )}
    </g>
  );
}

/** Kaplan–Meier step curves with censor marks, optional CI bands, legend and number-at-risk table. */
export function KmChart({ result, showCi, caption }: { result: KmResult; showCi: boolean; caption: string }) {
  const longest = Math.max(4, ...result.groups.map((g) => g.label.length));
  const labelWidth = Math.min(220, 8 * longest + 24);
  const rows = result.groups.length;
  const plotHeight = 380;
  const bottom = 62 + 18 * rows + (caption ? 24 : 6);
  const height = 16 + plotHeight + bottom;
  const horizon = result.horizon;
  return (
    <ComposedChart width={WIDTH} height={height} margin={{ top: 16, right: 30, left: labelWidth, bottom }} data-testid="km-chart">
      <CartesianGrid stroke="#ececec" />
      <XAxis type="number" dataKey="t" domain={[0, horizon]} ticks={result.ticks} allowDataOverflow tick={{ fontSize: 12 }} />
      <YAxis type="number" domain={[0, 1]} ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]} tickFormatter={(v: number) => v.toFixed(1)} tick={{ fontSize: 12 }} width={40} allowDataOverflow />
      {showCi &&
        result.groups.map((g, i) => (
          <Area
            key={`ci-${g.label}`}
            data={g.curve.map((p) => ({ t: p.t, band: [p.lo ?? p.s, p.hi ?? p.s] }))}
            dataKey="band"
            type="stepAfter"
            stroke="none"
            fill={color(i)}
            fillOpacity={0.14}
            isAnimationActive={false}
            name={`${g.label} CI`}
          />
        ))}
      {result.groups.map((g, i) => (
        <Line key={`s-${g.label}`} data={g.curve} dataKey="s" type="stepAfter" stroke={color(i)} strokeWidth={2} dot={false} isAnimationActive={false} name={g.label} />
      ))}
      {result.groups.map((g, i) => (
        <Scatter
          key={`c-${g.label}`}
          data={g.censored}
          dataKey="s"
          isAnimationActive={false}
          name={`${g.label} censored`}
          shape={(p: { cx?: number; cy?: number }) => <path d={`M${p.cx},${(p.cy ?? 0) - 4}V${(p.cy ?? 0) + 4}`} stroke={color(i)} strokeWidth={1.2} />}
        />
      ))}
      <Overlay result={result} caption={caption} labelWidth={labelWidth} height={height} />
    </ComposedChart>
  );
}
