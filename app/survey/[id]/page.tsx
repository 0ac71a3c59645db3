'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../_lib/trpc.tsx';
import { fmt } from '../_components/util.ts';

/** Survey overview: configuration and provenance, rater invitations and progress. */
export default function SurveyPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.status.queryOptions());
  const role = me.data?.user?.role;
  const survey = useQuery(trpc.survey.get.queryOptions({ id }));
  const s = survey.data;
  if (survey.error) return <ErrorNote message={errorMessage(survey.error)} />;
  if (!s) return <p className="muted">Loading…</p>;
  const staff = role === 'admin' || role === 'coordinator';
  const model = s.modelInfo as { terms: string[]; hazardRatio: number[]; pValue: number[]; n: number; nEvent: number; concordance: number; trainingCohortId: string } | null;
  return (
    <section>
      <p className="muted"><Link href="/survey">Surveys</Link></p>
      <h1>{s.name}</h1>
      <div className="card">
        <p>
          Cohort <strong>{s.cohort.name}</strong>{s.cohort.isSynthetic && <span className="badge">synthetic demo</span>} · parts {s.parts.join(', ')} ·{' '}
          {s.sampleSize} patients, {s.sampling} sample{s.stratifyBy ? ` by ${s.stratifyBy}` : ''}, seed <code data-testid="seed">{s.seed}</code>
        </p>
        {s.vignetteFields.length > 0 && <p>Vignette: {s.vignetteFields.join(', ')}</p>}
        {model && (
          <p>
            Part-3 model: Cox PH on {model.n} patients ({model.nEvent} deaths), C = {fmt(model.concordance)};{' '}
            {model.terms.map((t, i) => `${t} HR ${fmt(model.hazardRatio[i])} (p ${fmt(model.pValue[i])})`).join(', ')}; predicted survival at 0.5 years.
          </p>
        )}
        {s.strata.length > 1 && <p className="muted">Strata: {s.strata.map((x) => `${x.stratum}: ${x.n}`).join(' · ')}</p>}
        <p>Status: <strong data-testid="status">{s.status}</strong>{s.status === 'closed' ? ' (raters cannot change or submit answers)' : ''}</p>
        {staff && <StatusToggle id={s.id} status={s.status} />}
        {(role === 'admin' || role === 'analyst') && <Link href={`/survey/${s.id}/results`}>Results and exports</Link>}
      </div>
      <h2>Raters</h2>
      <table>
        <thead><tr><th>Code</th><th>Name</th><th>Profession</th>{s.parts.map((p) => <th key={p}>Part {p}</th>)}<th>Order seed</th></tr></thead>
        <tbody>
          {s.raters.map((r) => (
            <tr key={r.id} data-testid="rater-row">
              <td>{r.code}</td><td>{r.user.name}</td><td>{r.profession}</td>
              {r.progress.map((p) => <td key={p.part}>{p.answered}/{s.sampleSize}{r.submittedParts.includes(p.part) ? ' ✓ submitted' : ''}</td>)}
              <td><code>{r.orderSeed}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
      {s.raters.length === 0 && <p className="muted">No raters invited yet.</p>}
      {staff && <Invite surveyId={s.id} cohortId={s.cohort.id} invited={s.raters.map((r) => r.user.id)} />}
    </section>
  );
}

function StatusToggle({ id, status }: { id: string; status: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const set = useMutation(trpc.survey.setStatus.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.survey.get.queryKey() }) }));
  return (
    <p>
      <button type="button" className="secondary" disabled={set.isPending} onClick={() => set.mutate({ id, status: status === 'open' ? 'closed' : 'open' })}>
        {status === 'open' ? 'Close survey' : 'Reopen survey'}
      </button>
      <ErrorNote message={set.error && errorMessage(set.error)} />
    </p>
  );
}

function Invite({ surveyId, cohortId, invited }: { surveyId: string; cohortId: string; invited: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const options = useQuery(trpc.survey.options.queryOptions({ cohortId }));
  const [userId, setUserId] = useState('');
  const [profession, setProfession] = useState('oncologist');
  const invite = useMutation(
    trpc.survey.invite.mutationOptions({
      onSuccess: () => {
        setUserId('');
        void queryClient.invalidateQueries({ queryKey: trpc.survey.get.queryKey() });
      },
    }),
  );
  const candidates = options.data?.raters.filter((r) => !invited.includes(r.id)) ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate({ surveyId, userId, profession });
  };
  return (
    <form className="card inline" onSubmit={submit}>
      <label className="field">
        <span>Rater</span>
        <select name="rater" aria-label="Rater" value={userId} onChange={(e) => {
          setUserId(e.target.value);
          const prof = options.data?.raters.find((r) => r.id === e.target.value)?.profession;
          if (prof) setProfession(prof);
        }} required>
          <option value="">Choose a rater account…</option>
          {candidates.map((r) => <option key={r.id} value={r.id}>{r.name} ({r.email})</option>)}
        </select>
      </label>
      <label className="field">
        <span>Profession</span>
        <input name="profession" list="professions" value={profession} onChange={(e) => setProfession(e.target.value)} required />
        <datalist id="professions">{options.data?.professions.map((p) => <option key={p} value={p} />)}</datalist>
      </label>
      <button type="submit" disabled={invite.isPending}>Invite rater</button>
      <ErrorNote message={invite.error && errorMessage(invite.error)} />
      {options.data && options.data.raters.length === 0 && <p className="muted">No rater accounts exist yet: an admin creates them under Users.</p>}
    </form>
  );
}
