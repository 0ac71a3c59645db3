'use client';

import { useRef, useState, type ReactNode } from 'react';
import { downloadCsv, downloadPng, downloadSvg, type Cell } from './export.ts';

/** A chart with "SVG" and "PNG" download buttons (and optionally the chart's data as CSV). */
export function ChartFrame({
  title,
  filename,
  children,
  csv,
  testId,
}: {
  title: string;
  filename: string;
  children: ReactNode;
  csv?: { header: string[]; rows: () => Cell[][]; label?: string };
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState('');
  const run = (f: () => void | Promise<void>) => async () => {
    setError('');
    try {
      if (ref.current) await f();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <div className="card" data-testid={testId}>
      <h2>{title}</h2>
      <div className="chart" ref={ref}>
        {children}
      </div>
      <div className="exports">
        <button type="button" className="secondary" onClick={run(() => downloadSvg(ref.current!, filename))}>
          Download SVG
        </button>
        <button type="button" className="secondary" onClick={run(() => downloadPng(ref.current!, filename))}>
          Download PNG
        </button>
        {csv && (
          <button type="button" className="secondary" onClick={run(() => downloadCsv(filename, csv.header, csv.rows()))}>
            {csv.label ?? 'Download data (CSV)'}
          </button>
        )}
      </div>
      {error && <p className="error">{error}</p>}
    </div>
  );
}

/** A "Download CSV" button for a table. */
export function CsvButton({ filename, header, rows, label = 'Download table (CSV)' }: { filename: string; header: string[]; rows: () => Cell[][]; label?: string }) {
  return (
    <button type="button" className="secondary" onClick={() => downloadCsv(filename, header, rows())}>
      {label}
    </button>
  );
}

/** The caption drawn inside every exported figure: synthetic data / baseline model labels. */
export function captionFor(meta: { isSynthetic: boolean; ageModelKind: string | null } | undefined): string {
  const parts: string[] = [];
  if (meta?.isSynthetic) parts.push('SYNTHETIC demo data — not real patients');
  if (meta?.ageModelKind === 'baseline') parts.push('age model: baseline (not FaceAge)');
  return parts.join(' · ');
}
