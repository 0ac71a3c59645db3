'use client';

import { useParams } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNote } from '../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../_lib/trpc.tsx';
import { CohortHeader } from '../_workflow/CohortHeader.tsx';

function eta(seconds: number | null) {
  if (seconds === null) return '—';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.ceil(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export default function RunsPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const models = useQuery(trpc.runs.models.queryOptions());
  const runs = useQuery({
    ...trpc.runs.list.queryOptions({ cohortId: id }),
    // Live progress while a run is active (state lives in the database: survives reloads).
    refetchInterval: (q) => (q.state.data?.some((r) => r.status === 'queued' || r.status === 'running') ? 1500 : false),
  });
  const [model, setModel] = useState('');
  const [showFailures, setShowFailures] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey() });
  const start = useMutation(trpc.runs.start.mutationOptions({ onSuccess: refresh }));
  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: refresh }));
  const retry = useMutation(trpc.runs.retry.mutationOptions({ onSuccess: refresh }));
  const failures = useQuery({ ...trpc.runs.failures.queryOptions({ runId: showFailures ?? '' }), enabled: !!showFailures });
  const chosen = model || models.data?.[0]?.id || '';

  return (
    <section>
      <CohortHeader cohortId={id} active="/runs" />
      <div className="card">
        <h2>Run FaceAge</h2>
        <p className="muted">Workers detect the face (MTCNN, default detector) and estimate the age of every photo that has no estimate from the chosen age model yet. You can leave this page: the run continues and its progress is kept.</p>
        <div className="inline">
          <label className="field">
            <span>Age model</span>
            <select aria-label="Age model" value={chosen} onChange={(e) => setModel(e.target.value)}>
              {models.data?.map((m) => (
                <option key={m.id} value={m.id}>{m.label}{m.isDefault ? ' — default' : ''}</option>
              ))}
            </select>
          </label>
          <button type="button" disabled={!chosen || start.isPending} onClick={() => start.mutate({ cohortId: id, ageModelId: chosen })}>Run FaceAge</button>
        </div>
        {models.data?.find((m) => m.id === chosen)?.kind === 'baseline' && <p className="warn">This is a baseline apparent-age model, not the FaceAge research model; results are labelled so.</p>}
        <ErrorNote message={(start.error && errorMessage(start.error)) || (cancel.error && errorMessage(cancel.error)) || (retry.error && errorMessage(retry.error))} />
      </div>

      {runs.data?.map((r) => {
        const pct = (n: number) => `${(100 * n) / Math.max(1, r.total)}%`;
        const active = r.status === 'queued' || r.status === 'running';
        return (
          <div className="card" key={r.id} data-testid="run">
            <h3>
              {r.ageModelId} <span className="muted">· {new Date(r.createdAt).toLocaleString()}</span> · <span data-testid="run-status">{r.status}</span>
            </h3>
            <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={r.total} aria-valuenow={r.done + r.failed}>
              <div className="done" style={{ width: pct(r.done) }} />
              <div className="failed" style={{ width: pct(r.failed) }} />
            </div>
            <p data-testid="run-progress">
              <strong>{r.done}</strong> done · <strong>{r.failed}</strong> failed · <strong>{r.remaining}</strong> remaining of {r.total}
              {r.ratePerMinute !== null && <> · {r.ratePerMinute.toFixed(1)} photos/min</>}
              {active && <> · ETA {eta(r.etaSeconds)}</>}
            </p>
            {r.status === 'queued' && r.done + r.failed === 0 && Date.now() - new Date(r.createdAt).getTime() > 60_000 && (
              <p className="warn">No worker has picked this run up yet. Is a worker running (<code>npm start</code> starts one; more with <code>npm run worker</code>)?</p>
            )}
            <div className="inline">
              {active && <button type="button" className="secondary" onClick={() => cancel.mutate({ runId: r.id })}>Cancel</button>}
              {!active && (r.failed > 0 || r.status === 'cancelled') && (
                <button type="button" className="secondary" onClick={() => retry.mutate({ runId: r.id })}>{r.status === 'cancelled' ? 'Resume' : `Retry ${r.failed} failed`}</button>
              )}
              {r.failed > 0 && <button type="button" className="link" onClick={() => setShowFailures(showFailures === r.id ? null : r.id)}>{showFailures === r.id ? 'Hide' : 'Show'} failed photos</button>}
            </div>
            {showFailures === r.id && failures.data && (
              <table>
                <thead><tr><th>File</th><th>Record id</th><th>Reason</th></tr></thead>
                <tbody>{failures.data.map((f) => <tr key={f.photoId}><td>{f.fileName}</td><td>{f.recordId ?? '—'}</td><td>{f.error}</td></tr>)}</tbody>
              </table>
            )}
          </div>
        );
      })}
      {runs.data?.length === 0 && <p className="muted">No run yet.</p>}
    </section>
  );
}
