'use client';

import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { ErrorNote } from '../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../_lib/trpc.tsx';
import './workflow.css';

const TABS = [
  ['', 'Overview'],
  ['/import', '1 · Clinical data'],
  ['/photos', '2 · Photos'],
  ['/runs', '3 · FaceAge runs'],
  ['/qa', '4 · Photo QA'],
  ['/curation', '5 · Curation'],
  ['/analysis', 'Analysis'],
] as const;

/** Cohort title and the workflow's tabs. */
export function CohortHeader({ cohortId, active }: { cohortId: string; active: string }) {
  const trpc = useTRPC();
  const cohort = useQuery(trpc.cohorts.get.queryOptions({ id: cohortId }));
  if (cohort.error) return <ErrorNote message={errorMessage(cohort.error)} />;
  return (
    <div className="cohort-header">
      <p className="muted crumbs">
        <Link href="/studies">Studies</Link> / {cohort.data?.study.name ?? '…'}
      </p>
      <h1>
        {cohort.data?.name ?? 'Cohort'}
        {cohort.data?.isSynthetic && <span className="badge">synthetic demo</span>}
      </h1>
      <nav className="tabs" aria-label="Cohort workflow">
        {TABS.map(([path, label]) => (
          <Link key={path} href={`/cohorts/${cohortId}${path}`} className={active === path ? 'active' : ''} aria-current={active === path ? 'page' : undefined}>
            {label}
          </Link>
        ))}
      </nav>
    </div>
  );
}

export function fmt(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

/** Saves text as a file in the browser. */
export function download(filename: string, text: string, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}
