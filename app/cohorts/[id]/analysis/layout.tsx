'use client';

import Link from 'next/link';
import { useParams, usePathname } from 'next/navigation';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ErrorNote } from '../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../_lib/trpc.tsx';
import { CohortHeader } from '../_workflow/CohortHeader.tsx';
import { AnalysisContext } from './_lib/context.tsx';
import './analysis.css';

const TABS = [
  { href: '', label: 'Overview' },
  { href: '/km', label: 'Kaplan–Meier' },
  { href: '/cox', label: 'Cox models' },
  { href: '/agreement', label: 'Agreement & subgroups' },
  { href: '/validation', label: 'Validation report' },
];

export default function AnalysisLayout({ children }: { children: ReactNode }) {
  const { id } = useParams<{ id: string }>();
  const pathname = usePathname();
  const trpc = useTRPC();
  const [ageModelId, setAgeModelId] = useState<string | undefined>(undefined);
  const overview = useQuery(trpc.analysis.overview.queryOptions({ cohortId: id, ageModelId }));
  const meta = overview.data?.meta;
  const base = `/cohorts/${id}/analysis`;
  return (
    <AnalysisContext.Provider value={{ cohortId: id, ageModelId }}>
      <CohortHeader cohortId={id} active="/analysis" />
      <section className="analysis">
        {meta?.isSynthetic && (
          <p className="banner synthetic" role="note">
            <span className="badge synthetic" data-testid="synthetic-badge">
              synthetic demo data
            </span>{' '}
            These patients, outcomes and FaceAge values were drawn from a stated generative model (docs/dashboards.md). They are not real people and the results say nothing about real patients.
          </p>
        )}
        {meta?.ageModelKind === 'baseline' && (
          <p className="banner baseline" role="note" data-testid="baseline-banner">
            Age estimates come from the <strong>baseline apparent-age model (not FaceAge)</strong>; every result on these pages is labelled “baseline (not FaceAge)”.
          </p>
        )}
        <div className="inline model-row">
          <label className="field">
            <span>Age model</span>
            <select value={ageModelId ?? ''} onChange={(e) => setAgeModelId(e.target.value || undefined)} aria-label="Age model">
              <option value="">cohort default{meta?.ageModelId ? ` (${meta.ageModelId})` : ''}</option>
              {overview.data?.ageModels.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.id} · {m.estimates} estimates
                </option>
              ))}
            </select>
          </label>
          {meta && (
            <span className="muted">
              Values: <strong data-testid="model-label">{meta.modelLabel}</strong> · {meta.n} curated patients (QA passed)
            </span>
          )}
        </div>
        <nav className="tabs" aria-label="Analysis views">
          {TABS.map((t) => {
            const href = base + t.href;
            const active = t.href === '' ? pathname === base : pathname.startsWith(href);
            return (
              <Link key={t.href} href={href} className={active ? 'active' : ''} aria-current={active ? 'page' : undefined}>
                {t.label}
              </Link>
            );
          })}
        </nav>
        <ErrorNote message={overview.error && errorMessage(overview.error)} />
        {children}
      </section>
    </AnalysisContext.Provider>
  );
}
