'use client';

import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../../_lib/trpc.tsx';
import { useAnalysisTarget } from './_lib/context.tsx';

export default function AnalysisOverview() {
  const trpc = useTRPC();
  const { cohortId, ageModelId } = useAnalysisTarget();
  const overview = useQuery(trpc.analysis.overview.queryOptions({ cohortId, ageModelId }));
  const c = overview.data?.counts;
  const base = `/cohorts/${cohortId}/analysis`;
  return (
    <div>
      <div className="card" data-testid="analysis-overview">
        <h2>Analysis dataset</h2>
        {c ? (
          <p>
            {c.rows} curated patients (photo within the curation window, QA passed, age estimate present) · {c.withSurvival} with survival data · {c.events} deaths ·{' '}
            {c.withFaceAge} with an age estimate ({overview.data?.meta.modelLabel}).
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
        <p className="muted small">
          Every number on these pages is computed on the server by the platform&apos;s statistics library (equivalent to R&apos;s survival package: Kaplan–Meier with Greenwood variance, log-rank = survdiff, Cox PH with Efron ties, cox.zph, Harrell&apos;s C).
        </p>
      </div>
      <div className="grid2">
        <Link className="card" href={`${base}/km`}>
          <h2>Kaplan–Meier</h2>
          <p className="muted">Survival by FaceAge group (paper cut points ≤65, 65–75, 75–85, &gt;85, editable, or quantiles), by age gap or by any categorical variable; risk table, medians, log-rank test.</p>
        </Link>
        <Link className="card" href={`${base}/cox`}>
          <h2>Cox models</h2>
          <p className="muted">Univariable and multivariable hazard ratios with a forest plot, the likelihood-ratio test of adding FaceAge to a clinical model, the proportional-hazards check and predicted survival per patient.</p>
        </Link>
        <Link className="card" href={`${base}/agreement`}>
          <h2>Agreement &amp; subgroups</h2>
          <p className="muted">FaceAge against chronological age (r, R², MAE, bias), the age-gap histogram, and the age gap by sex, smoking, ECOG, BMI class and site with t-tests.</p>
        </Link>
        <Link className="card" href={`${base}/validation`}>
          <h2>Validation report</h2>
          <p className="muted">MAE, r, R² and bias overall, by sex, by race and by age band (as the paper&apos;s Extended Data Fig. 1).</p>
        </Link>
      </div>
    </div>
  );
}
