'use client';

import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../../_lib/trpc.tsx';
import { CohortHeader } from './_workflow/CohortHeader.tsx';

const EXPORTS = [
  ['analysis', 'Analysis dataset', 'one row per patient: covariates, photo date, ages, age gap, survival, event, inclusion, QA, model ids'],
  ['paper', 'Paper-compatible', 'pmrn, chronologic age, face age, survival time, event flag (included patients)'],
  ['predictions', 'Predictions', 'subj_id,faceage (included patients)'],
  ['consort', 'CONSORT flow', 'counts at each curation step, with reasons'],
] as const;

export default function CohortPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.status.queryOptions());
  const cohort = useQuery(trpc.cohorts.get.queryOptions({ id }));
  const curation = useQuery(trpc.curation.get.queryOptions({ cohortId: id }));
  const runs = useQuery(trpc.runs.list.queryOptions({ cohortId: id }));
  const role = me.data?.user?.role;
  const included = curation.data?.flow.at(-1)?.remaining ?? 0;
  const lastRun = runs.data?.[0];
  const c = cohort.data?._count;
  const next = !c
    ? null
    : c.patients === 0
      ? { href: 'import', text: 'Start by importing the clinical data (CSV export from REDCap or the hospital system).' }
      : c.photos === 0
        ? { href: 'photos', text: 'Next: upload the photos (and the photo log, if you have one).' }
        : !lastRun
          ? { href: 'runs', text: 'Next: run FaceAge on the photos.' }
          : { href: 'qa', text: 'Next: review the face crops (Photo QA), then check the curation and download the exports.' };
  return (
    <section>
      <CohortHeader cohortId={id} active="" />
      {next && role !== 'analyst' && (
        <p className="card" data-testid="next-step">
          {next.text} <Link href={`/cohorts/${id}/${next.href}`}>Go →</Link>
        </p>
      )}
      <div className="steps-grid">
        <div className="card">
          <div className="muted">Patients</div>
          <div className="stat" data-testid="patient-count">{cohort.data?._count.patients ?? '…'}</div>
          <Link href={`/cohorts/${id}/import`}>Import clinical data →</Link>
        </div>
        <div className="card">
          <div className="muted">Photos</div>
          <div className="stat">{cohort.data?._count.photos ?? '…'}</div>
          <Link href={`/cohorts/${id}/photos`}>Photo log and uploads →</Link>
        </div>
        <div className="card">
          <div className="muted">FaceAge</div>
          <div className="stat">{lastRun ? `${lastRun.done}/${lastRun.total}` : '—'}</div>
          <span className="muted">{lastRun ? `last run ${lastRun.status}` : 'not run yet'}</span>
          <br />
          <Link href={`/cohorts/${id}/runs`}>Runs →</Link>
        </div>
        <div className="card">
          <div className="muted">Included in the analysis</div>
          <div className="stat" data-testid="included-count">{curation.data ? included : '…'}</div>
          <Link href={`/cohorts/${id}/curation`}>Curation and CONSORT flow →</Link>
        </div>
      </div>
      <h2>Exports</h2>
      {role === 'rater' ? (
        <p className="muted">Exports are available to coordinators, analysts and administrators.</p>
      ) : (
        <table>
          <tbody>
            {EXPORTS.map(([kind, label, what]) => (
              <tr key={kind}>
                <td>
                  <a href={`/api/cohorts/${id}/export?kind=${kind}`} download data-testid={`export-${kind}`}>
                    Download {label} (CSV)
                  </a>
                </td>
                <td className="muted">{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {curation.data?.ageModelId && (
        <p className="muted">
          Age model: {curation.data.ageModelId}
          {curation.data.isSynthetic ? ' (synthetic demo values)' : curation.data.ageModelId.startsWith('baseline') ? ' (baseline, not FaceAge)' : ''}. Every export is recorded in the audit trail.
        </p>
      )}
    </section>
  );
}
