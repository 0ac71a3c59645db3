'use client';

import { useParams } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ErrorNote } from '../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../_lib/trpc.tsx';
import { CohortHeader, fmt } from '../_workflow/CohortHeader.tsx';

type Rules = {
  photoWindowDays: number | null;
  referenceWindowDays: number | null;
  referenceDateField: string;
  requireReferenceDate: boolean;
  allowedIntents: ('curative' | 'palliative')[] | null;
  requireConsistentDates: boolean;
  requireEstimate: boolean;
};

export default function CurationPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const data = useQuery(trpc.curation.get.queryOptions({ cohortId: id }));
  const [rules, setRules] = useState<Rules | null>(null);
  const [filter, setFilter] = useState<'all' | 'in' | 'out'>('all');
  useEffect(() => {
    if (data.data && !rules) setRules(data.data.rules as Rules);
  }, [data.data, rules]);
  const save = useMutation(trpc.curation.updateRules.mutationOptions({ onSuccess: (r) => { setRules(r as Rules); void queryClient.invalidateQueries({ queryKey: trpc.curation.get.queryKey() }); } }));
  const d = data.data;
  const num = (v: string) => (v.trim() === '' ? null : Math.max(0, Math.round(Number(v))));
  const intents = (r: Rules, intent: 'curative' | 'palliative', on: boolean) => {
    const cur = r.allowedIntents ?? ['curative', 'palliative'];
    const next = on ? [...new Set([...cur, intent])] : cur.filter((x) => x !== intent);
    return next.length === 2 ? null : next;
  };

  return (
    <section>
      <CohortHeader cohortId={id} active="/curation" />
      <ErrorNote message={data.error && errorMessage(data.error)} />
      {rules && d && (
        <form className="card" onSubmit={(e) => { e.preventDefault(); save.mutate({ cohortId: id, rules }); }}>
          <h2>Inclusion rules</h2>
          <p className="muted">The paper&apos;s defaults; change them for this cohort if your protocol differs. Leave a window empty for no limit.</p>
          <div className="mapping">
            <label className="field"><span>Photo within N days of treatment start</span><input aria-label="Photo window (days)" type="number" min={0} value={rules.photoWindowDays ?? ''} onChange={(e) => setRules({ ...rules, photoWindowDays: num(e.target.value) })} /></label>
            <label className="field"><span>Treatment start within N days of the reference date</span><input aria-label="Reference window (days)" type="number" min={0} value={rules.referenceWindowDays ?? ''} onChange={(e) => setRules({ ...rules, referenceWindowDays: num(e.target.value) })} /></label>
            <label className="field"><span>Reference date covariate</span><input value={rules.referenceDateField} onChange={(e) => setRules({ ...rules, referenceDateField: e.target.value })} /></label>
          </div>
          <p>
            <label><input type="checkbox" checked={rules.allowedIntents?.includes('curative') ?? true} onChange={(e) => setRules({ ...rules, allowedIntents: intents(rules, 'curative', e.target.checked) })} /> curative intent</label>{' '}
            <label><input type="checkbox" checked={rules.allowedIntents?.includes('palliative') ?? true} onChange={(e) => setRules({ ...rules, allowedIntents: intents(rules, 'palliative', e.target.checked) })} /> palliative intent</label>{' '}
            <label><input type="checkbox" checked={rules.requireReferenceDate} onChange={(e) => setRules({ ...rules, requireReferenceDate: e.target.checked })} /> reference date required</label>{' '}
            <label><input type="checkbox" checked={rules.requireConsistentDates} onChange={(e) => setRules({ ...rules, requireConsistentDates: e.target.checked })} /> date consistency checks</label>{' '}
            <label><input type="checkbox" checked={rules.requireEstimate} onChange={(e) => setRules({ ...rules, requireEstimate: e.target.checked })} /> FaceAge estimate required</label>
          </p>
          <div className="inline">
            <button type="submit" disabled={save.isPending}>Save rules</button>
            <button type="button" className="secondary" onClick={() => save.mutate({ cohortId: id, rules: null })}>Restore the paper&apos;s defaults</button>
          </div>
          <ErrorNote message={save.error && errorMessage(save.error)} />
        </form>
      )}
      {d && (
        <div className="card">
          <h2>CONSORT flow</h2>
          <div className="flow" data-testid="consort">
            {d.flow.map((s) =>
              s.key === 'start' || s.key === 'included' ? (
                <div className="box" key={s.key}><strong>{s.label}</strong>: n = {s.remaining}</div>
              ) : s.excluded > 0 ? (
                <div className="out" key={s.key}>
                  Excluded — {s.label}: n = {s.excluded}
                  <ul>{Object.entries(s.reasons).map(([r, n]) => <li key={r}>{r}: {n}</li>)}</ul>
                </div>
              ) : null,
            )}
          </div>
          <p><a href={`/api/cohorts/${id}/export?kind=consort`} download>Download the CONSORT flow (CSV)</a></p>
          <p className="muted">Ages and survival times in years = days / 365.25; chronological age at the photo date; survival from the photo date to death, else to the last follow-up.</p>
        </div>
      )}
      {d && (
        <div className="card">
          <h2>Patients</h2>
          <select aria-label="Show" value={filter} onChange={(e) => setFilter(e.target.value as typeof filter)}>
            <option value="all">all</option>
            <option value="in">included</option>
            <option value="out">excluded</option>
          </select>
          <div className="problems">
            <table>
              <thead><tr><th>Record id</th><th>Status</th><th>Photo date</th><th>Chrono age</th><th>FaceAge</th><th>Survival (y)</th><th>Event</th><th>Why</th></tr></thead>
              <tbody>
                {d.patients.filter((p) => filter === 'all' || (filter === 'in') === p.included).map((p) => (
                  <tr key={p.patientId}>
                    <td>{p.recordId}</td>
                    <td className={p.included ? 'ok' : 'error'}>{p.included ? 'included' : 'excluded'}</td>
                    <td>{p.photoDate ?? '—'}</td>
                    <td>{fmt(p.chronoAge, 2)}</td>
                    <td>{fmt(p.faceAge, 1)}</td>
                    <td>{fmt(p.survivalYears, 3)}</td>
                    <td>{p.event ?? '—'}</td>
                    <td>{p.reasons.join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
