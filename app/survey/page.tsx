'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ErrorNote } from '../_components/Field.tsx';
import { errorMessage, useTRPC } from '../_lib/trpc.tsx';

/** Raters: their invitations with progress. Staff and analysts: every survey. */
export default function SurveysPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.status.queryOptions());
  const role = me.data?.user?.role;
  if (!role) return <p className="muted">Loading…</p>;
  return role === 'rater' ? <MySurveys /> : <AllSurveys canCreate={role === 'admin' || role === 'coordinator'} canResults={role === 'admin' || role === 'analyst'} />;
}

function MySurveys() {
  const trpc = useTRPC();
  const mine = useQuery(trpc.survey.mine.queryOptions());
  if (mine.error) return <ErrorNote message={errorMessage(mine.error)} />;
  return (
    <section>
      <h1>My surveys</h1>
      {mine.data?.length === 0 && <p className="muted">You have not been invited to a survey yet.</p>}
      {mine.data?.map((s) => {
        const allDone = s.parts.every((p) => s.submittedParts.includes(p));
        return (
          <div className="card" key={s.surveyId} data-testid="my-survey">
            <h2>{s.name}</h2>
            <ul>
              {s.answered.map((a) => (
                <li key={a.part}>
                  Part {a.part}: {a.n} of {s.total} answered{s.submittedParts.includes(a.part) ? ' · submitted' : ''}
                </li>
              ))}
            </ul>
            {allDone ? (
              <p>Thank you — every part is submitted. <Link href={`/survey/${s.surveyId}/rate`}>Review your answers</Link></p>
            ) : (
              <Link href={`/survey/${s.surveyId}/rate`} className="button-link">
                <button type="button">{s.answered.some((a) => a.n > 0) ? 'Continue' : 'Start'} part {s.currentPart}</button>
              </Link>
            )}
          </div>
        );
      })}
    </section>
  );
}

function AllSurveys({ canCreate, canResults }: { canCreate: boolean; canResults: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.survey.list.queryOptions());
  if (list.error) return <ErrorNote message={errorMessage(list.error)} />;
  return (
    <section>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1>Human-vs-FaceAge surveys</h1>
        {canCreate && <Link href="/survey/new"><button type="button">New survey</button></Link>}
      </div>
      {list.data?.length === 0 && <p className="muted">No surveys yet.</p>}
      {!!list.data?.length && (
        <table>
          <thead><tr><th>Survey</th><th>Cohort</th><th>Parts</th><th>Patients</th><th>Raters</th><th /></tr></thead>
          <tbody>
            {list.data.map((s) => (
              <tr key={s.id} data-testid="survey-row">
                <td><Link href={`/survey/${s.id}`}>{s.name}</Link></td>
                <td>{s.cohort.name}{s.cohort.isSynthetic && <span className="badge">synthetic demo</span>}</td>
                <td>{s.parts.join(', ')}</td>
                <td>{s.sampleSize}</td>
                <td>{s._count.raters}</td>
                <td>{canResults && <Link href={`/survey/${s.id}/results`}>Results</Link>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
