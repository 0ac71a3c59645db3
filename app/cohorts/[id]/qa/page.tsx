'use client';

import { useParams } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../_lib/trpc.tsx';
import { CohortHeader, fmt } from '../_workflow/CohortHeader.tsx';

type Reason = 'low_quality' | 'occluded' | 'not_patient' | 'multiple_faces' | 'other';

export default function QaPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery({ ...trpc.qa.list.queryOptions({ cohortId: id }), staleTime: 0, refetchOnWindowFocus: false });
  const [index, setIndex] = useState(0);
  const [choosing, setChoosing] = useState(false);
  const photos = list.data?.photos ?? [];
  const photo = photos[Math.min(index, Math.max(0, photos.length - 1))];
  const reasons = Object.entries(list.data?.reasons ?? {}) as [Reason, string][];

  const patch = useCallback(
    (photoId: string, qaStatus: 'culled' | 'pending' | 'passed', qaReason: string | null) =>
      queryClient.setQueryData(trpc.qa.list.queryKey({ cohortId: id }), (old) =>
        old ? { ...old, photos: old.photos.map((p) => (p.id === photoId ? { ...p, qaStatus, qaReason } : p)) } : old,
      ),
    [queryClient, trpc, id],
  );
  const cull = useMutation(trpc.qa.cull.mutationOptions({ onSuccess: (r) => patch(r.id, r.qaStatus, r.qaReason) }));
  const restore = useMutation(trpc.qa.restore.mutationOptions({ onSuccess: (r) => patch(r.id, r.qaStatus, r.qaReason) }));
  const pass = useMutation(trpc.qa.pass.mutationOptions({ onSuccess: (r) => patch(r.id, r.qaStatus, r.qaReason) }));

  const go = useCallback((d: number) => setIndex((i) => Math.max(0, Math.min(photos.length - 1, i + d))), [photos.length]);
  const doCull = useCallback(
    (reason: Reason) => {
      if (!photo) return;
      setChoosing(false);
      cull.mutate({ photoId: photo.id, reason });
    },
    [photo, cull],
  );

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
      if (!photo) return;
      if (choosing) {
        const n = Number(e.key);
        if (n >= 1 && n <= reasons.length) doCull(reasons[n - 1][0]);
        else if (e.key === 'Escape') setChoosing(false);
        e.preventDefault();
        return;
      }
      if (e.key === 'ArrowRight') go(1);
      else if (e.key === 'ArrowLeft') go(-1);
      else if (e.key === 'c' || e.key === 'C') setChoosing(true);
      else if (e.key === 'u' || e.key === 'U' || e.key === 'Backspace') restore.mutate({ photoId: photo.id });
      else if (e.key === 'p' || e.key === 'P') pass.mutate({ photoId: photo.id });
      else return;
      e.preventDefault();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [photo, choosing, reasons, go, doCull, restore, pass]);

  return (
    <section>
      <CohortHeader cohortId={id} active="/qa" />
      <ErrorNote message={(list.error && errorMessage(list.error)) || (cull.error && errorMessage(cull.error)) || (restore.error && errorMessage(restore.error))} />
      <p className="muted">
        Keys: <kbd>→</kbd>/<kbd>←</kbd> next/previous · <kbd>C</kbd> cull (then <kbd>1</kbd>–<kbd>5</kbd> for the reason) · <kbd>U</kbd> or <kbd>Backspace</kbd> restore · <kbd>P</kbd> mark passed. Culled photos leave the analysis; every action is audited.
      </p>
      {list.data && photos.length === 0 && <p>No photos yet.</p>}
      {photo && (
        <>
          <div className="qa" data-testid="qa-viewer">
            <div className="card">
              {photo.synthetic ? (
                <p className="muted">Synthetic demo photo: no image.</p>
              ) : (
                <div className="qa-photo">
                  {/* eslint-disable-next-line @next/next/no-img-element */}
                  <img src={`/api/photos/${photo.id}?size=800`} alt={`Photo ${index + 1}`} />
                  {photo.box && photo.width > 0 && (
                    <div
                      className="box"
                      data-testid="face-box"
                      style={{ left: `${(100 * photo.box.x) / photo.width}%`, top: `${(100 * photo.box.y) / photo.height}%`, width: `${(100 * photo.box.w) / photo.width}%`, height: `${(100 * photo.box.h) / photo.height}%` }}
                    />
                  )}
                </div>
              )}
            </div>
            <div className="card">
              <p data-testid="qa-position">Photo {index + 1} of {photos.length}</p>
              {photo.box && !photo.synthetic && (
                // eslint-disable-next-line @next/next/no-img-element
                <img className="qa-crop" src={`/api/photos/${photo.id}?size=200&crop=${photo.box.x},${photo.box.y},${photo.box.w},${photo.box.h}`} alt="Face crop" />
              )}
              <table>
                <tbody>
                  <tr><th>Record id</th><td>{photo.recordId ?? 'unmatched'}</td></tr>
                  <tr><th>File</th><td>{photo.fileName}</td></tr>
                  <tr><th>Photo date</th><td>{photo.photoDate ?? '—'}</td></tr>
                  <tr><th>FaceAge{list.data?.ageModelKind === 'baseline' ? ' (baseline model, not FaceAge)' : list.data?.ageModelKind === 'synthetic' ? ' (synthetic)' : ''}</th><td>{fmt(photo.faceAge)}{photo.error ? ` (${photo.error})` : ''}</td></tr>
                  <tr><th>Chronological age</th><td>{fmt(photo.chronoAge)}</td></tr>
                  <tr><th>Faces found</th><td>{photo.faceCount ?? '—'}{photo.confidence !== null ? ` (confidence ${photo.confidence.toFixed(3)})` : ''}</td></tr>
                  <tr>
                    <th>QA</th>
                    <td data-testid="qa-status" className={`qa-status-${photo.qaStatus}`}>
                      {photo.qaStatus}{photo.qaReason ? ` — ${list.data?.reasons[photo.qaReason as Reason] ?? photo.qaReason}` : ''}
                    </td>
                  </tr>
                </tbody>
              </table>
              {choosing ? (
                <div role="dialog" aria-label="Cull reason">
                  <p><strong>Why cull this photo?</strong></p>
                  {reasons.map(([key, label], i) => (
                    <button key={key} type="button" className="secondary" style={{ margin: '.15rem' }} onClick={() => doCull(key)}>
                      {i + 1} · {label}
                    </button>
                  ))}
                  <button type="button" className="link" onClick={() => setChoosing(false)}>cancel (Esc)</button>
                </div>
              ) : (
                <div className="inline">
                  <button type="button" className="secondary" onClick={() => go(-1)} disabled={index === 0}>← Previous</button>
                  <button type="button" className="secondary" onClick={() => go(1)} disabled={index >= photos.length - 1}>Next →</button>
                  {photo.qaStatus === 'culled' ? (
                    <button type="button" onClick={() => restore.mutate({ photoId: photo.id })}>Restore (U)</button>
                  ) : (
                    <button type="button" onClick={() => setChoosing(true)}>Cull (C)</button>
                  )}
                </div>
              )}
            </div>
          </div>
          <div className="thumbs" aria-label="All photos">
            {photos.map((p, i) => (
              <button key={p.id} type="button" title={`${i + 1}: ${p.recordId ?? p.fileName} — ${p.qaStatus}`} className={`${p.qaStatus} ${i === index ? 'current' : ''}`} onClick={() => setIndex(i)} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
