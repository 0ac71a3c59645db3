'use client';

import Link from 'next/link';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { DemoButton } from '../_components/DemoButton.tsx';
import { ErrorNote, Field } from '../_components/Field.tsx';
import { errorMessage, useTRPC } from '../_lib/trpc.tsx';

export default function StudiesPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.status.queryOptions());
  const studies = useQuery(trpc.studies.list.queryOptions());
  const [studyName, setStudyName] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.studies.list.queryKey() });
  const createStudy = useMutation(trpc.studies.create.mutationOptions({ onSuccess: () => { setStudyName(''); void refresh(); } }));
  const canEdit = me.data?.user?.role === 'admin' || me.data?.user?.role === 'coordinator';

  if (studies.error) return <ErrorNote message={errorMessage(studies.error)} />;
  return (
    <section>
      <h1>Studies</h1>
      {studies.data?.length === 0 && <p className="muted">No studies yet.{canEdit ? ' Create the first one below.' : ''}</p>}
      {studies.data?.map((study) => (
        <div className="card" key={study.id} data-testid="study">
          <h2>{study.name}</h2>
          {study.description && <p className="muted">{study.description}</p>}
          <ul className="cohorts">
            {study.cohorts.map((c) => (
              <li key={c.id}>
                <Link href={`/cohorts/${c.id}`}>{c.name}</Link>
                {c.isSynthetic && <span className="badge">synthetic demo</span>}
                {' · '}<Link href={`/cohorts/${c.id}/analysis`} data-testid="analysis-link">Analysis</Link>
                <span className="muted"> · {c._count.patients} patients · {c._count.photos} photos</span>
              </li>
            ))}
          </ul>
          {canEdit && <NewCohort studyId={study.id} onCreated={refresh} />}
        </div>
      ))}
      {me.data?.user?.role === 'admin' && <DemoButton />}
      {canEdit && (
        <form className="card inline" onSubmit={(e: FormEvent) => { e.preventDefault(); createStudy.mutate({ name: studyName }); }}>
          <Field label="New study name" name="studyName" value={studyName} onChange={(e) => setStudyName(e.target.value)} required />
          <button type="submit" disabled={createStudy.isPending}>Create study</button>
          <ErrorNote message={createStudy.error && errorMessage(createStudy.error)} />
        </form>
      )}
    </section>
  );
}

function NewCohort({ studyId, onCreated }: { studyId: string; onCreated: () => void }) {
  const trpc = useTRPC();
  const [name, setName] = useState('');
  const create = useMutation(trpc.cohorts.create.mutationOptions({ onSuccess: () => { setName(''); onCreated(); } }));
  return (
    <form className="inline" onSubmit={(e: FormEvent) => { e.preventDefault(); create.mutate({ studyId, name }); }}>
      <Field label="New cohort name" name="cohortName" value={name} onChange={(e) => setName(e.target.value)} required />
      <button type="submit" disabled={create.isPending}>Add cohort</button>
      <ErrorNote message={create.error && errorMessage(create.error)} />
    </form>
  );
}
