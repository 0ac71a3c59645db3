'use client';

import { useParams } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNote } from '../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../_lib/trpc.tsx';
import { CohortHeader } from '../_workflow/CohortHeader.tsx';

interface UploadResult {
  fileName: string;
  status: 'stored' | 'duplicate' | 'rejected';
  message: string;
}

/** One file per request, streamed as the body; progress from XHR upload events. */
function uploadFile(cohortId: string, file: File, onProgress: (loaded: number) => void): Promise<UploadResult[]> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/cohorts/${cohortId}/photos`);
    xhr.setRequestHeader('X-File-Name', encodeURIComponent(file.name));
    xhr.setRequestHeader('Content-Type', file.name.toLowerCase().endsWith('.zip') ? 'application/zip' : 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      onProgress(file.size);
      try {
        const body = JSON.parse(xhr.responseText) as { results?: UploadResult[]; error?: string };
        resolve(body.results ?? [{ fileName: file.name, status: 'rejected', message: body.error ?? `HTTP ${xhr.status}` }]);
      } catch {
        resolve([{ fileName: file.name, status: 'rejected', message: `upload failed (HTTP ${xhr.status})` }]);
      }
    };
    xhr.onerror = () => resolve([{ fileName: file.name, status: 'rejected', message: 'network error' }]);
    xhr.send(file);
  });
}

export default function PhotosPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const photos = useQuery(trpc.photos.list.queryOptions({ cohortId: id }));
  const [logText, setLogText] = useState('');
  const log = useMutation(trpc.imports.photoLog.mutationOptions({ onSuccess: (r) => r.committed && void queryClient.invalidateQueries() }));
  const [progress, setProgress] = useState<{ sent: number; total: number; files: number; doneFiles: number } | null>(null);
  const [results, setResults] = useState<UploadResult[]>([]);

  async function onLog(file: File | undefined) {
    if (!file) return;
    const text = await file.text();
    setLogText(text);
    log.mutate({ cohortId: id, csvText: text, mode: 'preview' });
  }

  async function onUpload(list: FileList | null) {
    if (!list || list.length === 0) return;
    const files = [...list];
    const total = files.reduce((s, f) => s + f.size, 0);
    const loaded = new Array<number>(files.length).fill(0);
    setResults([]);
    setProgress({ sent: 0, total, files: files.length, doneFiles: 0 });
    let next = 0;
    let doneFiles = 0;
    const all: UploadResult[] = [];
    const worker = async () => {
      while (next < files.length) {
        const i = next++;
        const r = await uploadFile(id, files[i], (n) => {
          loaded[i] = n;
          setProgress((p) => p && { ...p, sent: loaded.reduce((a, b) => a + b, 0) });
        });
        all.push(...r);
        doneFiles++;
        setProgress((p) => p && { ...p, doneFiles });
        setResults([...all]);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    void queryClient.invalidateQueries();
  }

  const lp = log.data;
  const counts = (s: UploadResult['status']) => results.filter((r) => r.status === s).length;
  return (
    <section>
      <CohortHeader cohortId={id} active="/photos" />
      <div className="card">
        <h2>Photo log (optional)</h2>
        <p className="muted">CSV linking each photo (photo id, file name or sha256) to a record id, with the photo date. Without a log, a photo named <code>&lt;record id&gt;_anything.jpg</code> is matched by its name and dated from its EXIF data.</p>
        <label className="field">
          <span>Photo log CSV</span>
          <input type="file" accept=".csv,text/csv" aria-label="Photo log CSV" onChange={(e) => void onLog(e.target.files?.[0])} />
        </label>
        <ErrorNote message={log.error && errorMessage(log.error)} />
        {lp && (
          <>
            <p>
              Columns: photo <strong>{lp.columns.photoRef || '?'}</strong>, record id <strong>{lp.columns.recordId || '?'}</strong>, date <strong>{lp.columns.photoDate ?? 'none'}</strong> ({lp.dateFormat}
              {lp.dateDetection.ambiguous ? ', ambiguous' : ''}). {lp.validCount} of {lp.rowCount} rows valid.
              {lp.committed && <strong className="ok"> Imported; {lp.matched} photos re-matched.</strong>}
            </p>
            {lp.problems.length > 0 && (
              <div className="problems">
                <table>
                  <thead><tr><th>Line</th><th>Column</th><th>Problem</th></tr></thead>
                  <tbody>{lp.problems.map((p, i) => <tr key={i}><td>{p.line}</td><td>{p.column}</td><td>{p.message}</td></tr>)}</tbody>
                </table>
              </div>
            )}
            {!lp.committed && (
              <div className="inline">
                <button type="button" disabled={lp.problems.length > 0 || log.isPending} onClick={() => log.mutate({ cohortId: id, csvText: logText, mode: 'all', columns: lp.columns, dateFormat: lp.dateFormat })}>Import photo log</button>
                {lp.problems.length > 0 && (
                  <button type="button" className="secondary" disabled={log.isPending} onClick={() => log.mutate({ cohortId: id, csvText: logText, mode: 'valid', columns: lp.columns, dateFormat: lp.dateFormat })}>Import the {lp.validCount} valid rows</button>
                )}
              </div>
            )}
          </>
        )}
      </div>

      <div className="card">
        <h2>Upload photos</h2>
        <p className="muted">Select many photos at once, or .zip archives of photos. Duplicates (same content) are detected; unreadable files and oversized images are refused and listed below.</p>
        <label className="field">
          <span>Photos or .zip files</span>
          <input type="file" multiple accept="image/*,.zip,application/zip" aria-label="Photos or zip files" onChange={(e) => void onUpload(e.target.files)} />
        </label>
        {progress && (
          <div data-testid="upload-progress">
            <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round((100 * progress.sent) / Math.max(1, progress.total))}>
              <div className="bar" style={{ width: `${(100 * progress.sent) / Math.max(1, progress.total)}%` }} />
            </div>
            <p role="status" data-testid="upload-status">
              {progress.doneFiles}/{progress.files} files sent · {counts('stored')} stored, {counts('duplicate')} duplicates, {counts('rejected')} refused
              {progress.doneFiles === progress.files ? ' — done' : '…'}
            </p>
          </div>
        )}
        {results.some((r) => r.status !== 'stored') && (
          <div className="problems">
            <table>
              <thead><tr><th>File</th><th>Result</th><th>Details</th></tr></thead>
              <tbody>{results.filter((r) => r.status !== 'stored').map((r, i) => <tr key={i}><td>{r.fileName}</td><td className={r.status === 'rejected' ? 'error' : 'warn'}>{r.status}</td><td>{r.message}</td></tr>)}</tbody>
            </table>
          </div>
        )}
      </div>

      <div className="card">
        <h2>Photos in this cohort</h2>
        {photos.data && (
          <p data-testid="photo-summary">{photos.data.total} photos · {photos.data.matched} matched to a patient · {photos.data.dated} dated · {photos.data.logEntries} photo-log entries</p>
        )}
        <div className="problems">
          <table>
            <thead><tr><th>File</th><th>Record id</th><th>Date</th><th>Date from</th><th>Size</th><th>QA</th></tr></thead>
            <tbody>
              {photos.data?.photos.map((p) => (
                <tr key={p.id}>
                  <td>{p.fileName}</td>
                  <td>{p.recordId ?? <span className="warn">unmatched</span>}</td>
                  <td>{p.photoDate ?? <span className="warn">none</span>}</td>
                  <td>{p.dateSource ?? '—'}</td>
                  <td>{p.width}×{p.height}</td>
                  <td>{p.qaStatus}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
