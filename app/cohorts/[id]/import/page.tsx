'use client';

import { useParams } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNote } from '../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../_lib/trpc.tsx';
import { CohortHeader, download } from '../_workflow/CohortHeader.tsx';

type Mapping = { core: Record<string, string | null | undefined>; covariates: { column: string; name: string; type: 'numeric' | 'categorical' | 'date' | 'text' }[] };
type DateFormat = 'iso' | 'mdy' | 'dmy';
const FORMAT_LABEL: Record<DateFormat, string> = { iso: 'YYYY-MM-DD (ISO / REDCap Y-M-D)', mdy: 'MM/DD/YYYY (US / REDCap M-D-Y)', dmy: 'DD-MM-YYYY (European / REDCap D-M-Y)' };

export default function ClinicalImportPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const fields = useQuery(trpc.imports.fields.queryOptions());
  const [fileName, setFileName] = useState('');
  const [csvText, setCsvText] = useState('');
  const [mapping, setMapping] = useState<Mapping | null>(null);
  const [dateFormat, setDateFormat] = useState<DateFormat | null>(null);
  const preview = useMutation(
    trpc.imports.previewClinical.mutationOptions({
      onSuccess: (p) => {
        setMapping(p.mapping as Mapping);
        setDateFormat(p.dateFormat);
      },
    }),
  );
  const commit = useMutation(trpc.imports.commitClinical.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries() }));

  async function onFile(file: File | undefined) {
    if (!file) return;
    const text = await file.text();
    setFileName(file.name);
    setCsvText(text);
    setMapping(null);
    commit.reset();
    preview.mutate({ cohortId: id, csvText: text });
  }
  function remap(next: Mapping, fmt = dateFormat) {
    setMapping(next);
    commit.reset();
    preview.mutate({ cohortId: id, csvText, mapping: next as never, dateFormat: fmt ?? undefined });
  }
  const p = preview.data;
  const used = new Set([...Object.values(mapping?.core ?? {}).filter(Boolean), ...(mapping?.covariates.map((c) => c.column) ?? [])]);
  const unmapped = p?.headers.filter((h) => !used.has(h)) ?? [];

  return (
    <section>
      <CohortHeader cohortId={id} active="/import" />
      <div className="card">
        <h2>Import clinical data (CSV)</h2>
        <p className="muted">
          A REDCap or hospital export: UTF-8 (with or without BOM), comma or semicolon separated. You map the columns, confirm the date format and review every problem before anything is saved.
          Re-importing updates patients by record id.
        </p>
        <label className="field">
          <span>Clinical CSV file</span>
          <input type="file" accept=".csv,text/csv,text/plain" aria-label="Clinical CSV file" onChange={(e) => void onFile(e.target.files?.[0])} />
        </label>
        <ErrorNote message={preview.error && errorMessage(preview.error)} />
      </div>

      {p && mapping && (
        <>
          <div className="card">
            <h2>Column mapping</h2>
            <p className="muted">{fileName}: {p.rowCount} rows, {p.headers.length} columns, separator “{p.delimiter === '\t' ? 'tab' : p.delimiter}”.</p>
            <div className="mapping">
              {fields.data?.map((f) => (
                <label className="field" key={f.key}>
                  <span>{f.label}</span>
                  <select aria-label={`Column for ${f.label}`} value={mapping.core[f.key] ?? ''} onChange={(e) => remap({ ...mapping, core: { ...mapping.core, [f.key]: e.target.value || null } })}>
                    <option value="">— not imported —</option>
                    {p.headers.map((h) => (
                      <option key={h} value={h}>{h}</option>
                    ))}
                  </select>
                </label>
              ))}
            </div>
            <h3>Custom covariates</h3>
            {mapping.covariates.map((c, i) => (
              <div className="inline" key={c.column}>
                <span>{c.column} →</span>
                <select aria-label={`Type of ${c.column}`} value={c.type} onChange={(e) => remap({ ...mapping, covariates: mapping.covariates.map((x, j) => (j === i ? { ...x, type: e.target.value as Mapping['covariates'][number]['type'] } : x)) })}>
                  <option value="categorical">categorical</option>
                  <option value="numeric">numeric</option>
                  <option value="date">date</option>
                  <option value="text">text</option>
                </select>
                <button type="button" className="link" onClick={() => remap({ ...mapping, covariates: mapping.covariates.filter((_, j) => j !== i) })}>remove</button>
              </div>
            ))}
            {unmapped.length > 0 && (
              <p>
                Unmapped columns:{' '}
                {unmapped.map((h) => (
                  <button type="button" className="secondary" style={{ margin: '.15rem' }} key={h} onClick={() => remap({ ...mapping, covariates: [...mapping.covariates, { column: h, name: h.replace(/[^A-Za-z0-9_ .-]/g, '_').replace(/^[^A-Za-z]+/, 'c_') || 'covariate', type: 'categorical' }] })}>
                    + {h} as covariate
                  </button>
                ))}
              </p>
            )}
            <label className="field">
              <span>Date format (detected: {FORMAT_LABEL[p.dateDetection.format]}{p.dateDetection.ambiguous ? ' — ambiguous, please confirm' : ''})</span>
              <select aria-label="Date format" value={dateFormat ?? p.dateFormat} onChange={(e) => { setDateFormat(e.target.value as DateFormat); remap(mapping, e.target.value as DateFormat); }}>
                {(['iso', 'mdy', 'dmy'] as DateFormat[]).map((f) => (
                  <option key={f} value={f}>{FORMAT_LABEL[f]}{p.dateDetection.candidates.includes(f) ? '' : ' (some dates do not fit)'}</option>
                ))}
              </select>
            </label>
          </div>

          <div className="card">
            <h2>Preview</h2>
            {!mapping.core.recordId ? (
              <p className="error">Choose the column holding the record id.</p>
            ) : (
              <>
                <p data-testid="import-summary">
                  <strong className="ok">{p.validCount} valid rows</strong> ({p.newCount} new, {p.existingCount} already in the cohort — updated by record id)
                  {p.rejectedCount > 0 && <>, <strong className="error">{p.rejectedCount} rows with problems</strong></>}.
                </p>
                {p.problems.length > 0 && (
                  <div className="problems">
                    <table>
                      <thead><tr><th>Line</th><th>Column</th><th>Problem</th></tr></thead>
                      <tbody>
                        {p.problems.map((pr, i) => (
                          <tr key={i}><td>{pr.line}</td><td>{pr.column}</td><td>{pr.message}</td></tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
                <div className="inline" style={{ marginTop: '1rem' }}>
                  <button type="button" disabled={commit.isPending || p.rejectedCount > 0 || p.validCount === 0} onClick={() => commit.mutate({ cohortId: id, csvText, mapping: mapping as never, dateFormat: dateFormat ?? p.dateFormat, mode: 'all' })}>
                    Import all {p.rowCount} rows
                  </button>
                  {p.rejectedCount > 0 && (
                    <button type="button" className="secondary" disabled={commit.isPending || p.validCount === 0} onClick={() => commit.mutate({ cohortId: id, csvText, mapping: mapping as never, dateFormat: dateFormat ?? p.dateFormat, mode: 'valid' })}>
                      Import only the {p.validCount} valid rows
                    </button>
                  )}
                </div>
              </>
            )}
            <ErrorNote message={commit.error && errorMessage(commit.error)} />
            {commit.data && (
              <p role="status" data-testid="import-result">
                Imported: {commit.data.created} new, {commit.data.updated} updated, {commit.data.unchanged} unchanged{commit.data.rejected ? `, ${commit.data.rejected} rejected` : ''}.{' '}
                {commit.data.rejectedCsv && (
                  <button type="button" className="link" onClick={() => download('rejected-rows.csv', commit.data!.rejectedCsv!)}>Download the rejected rows (CSV)</button>
                )}
              </p>
            )}
          </div>
        </>
      )}
    </section>
  );
}
