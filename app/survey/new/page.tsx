'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useState, type FormEvent } from 'react';
import { ErrorNote, Field } from '../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../_lib/trpc.tsx';

export default function NewSurveyPage() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <NewSurvey />
    </Suspense>
  );
}

function toggle(list: string[], key: string) {
  return list.includes(key) ? list.filter((k) => k !== key) : [...list, key];
}

/** Coordinator: a survey on a curated cohort — sample, parts, vignette, part-3 model. */
function NewSurvey() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const studies = useQuery(trpc.studies.list.queryOptions());
  const [cohortId, setCohortId] = useState(params.get('cohort') ?? '');
  const options = useQuery(trpc.survey.options.queryOptions({ cohortId }, { enabled: !!cohortId }));
  const [name, setName] = useState('');
  const [parts, setParts] = useState<number[]>([1, 2, 3]);
  const [vignette, setVignette] = useState<string[]>(['sex', 'age', 'site', 'ecog']);
  const [training, setTraining] = useState('');
  const [modelCov, setModelCov] = useState<string[]>(['chronoAge']);
  const [sampling, setSampling] = useState<'random' | 'stratified'>('random');
  const [stratifyBy, setStratifyBy] = useState('outcome6m');
  const [size, setSize] = useState('100');
  const [seed, setSeed] = useState('');
  const create = useMutation(trpc.survey.create.mutationOptions({ onSuccess: (res) => router.push(`/survey/${res.id}`) }));
  const o = options.data;

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate({
      cohortId,
      name,
      parts,
      vignetteFields: parts.some((p) => p >= 2) ? vignette : [],
      trainingCohortId: parts.includes(3) ? training || cohortId : null,
      modelCovariates: parts.includes(3) ? modelCov : [],
      sampling,
      stratifyBy: sampling === 'stratified' ? stratifyBy : null,
      size: Number(size),
      seed: seed.trim() ? Number(seed) : undefined,
    });
  }

  return (
    <section>
      <h1>New survey</h1>
      <form className="card" onSubmit={submit}>
        <label className="field">
          <span>Cohort</span>
          <select name="cohort" aria-label="Cohort" value={cohortId} onChange={(e) => setCohortId(e.target.value)} required>
            <option value="">Choose a cohort…</option>
            {studies.data?.flatMap((s) => s.cohorts.map((c) => (
              <option key={c.id} value={c.id}>{s.name} / {c.name}{c.isSynthetic ? ' (synthetic demo)' : ''}</option>
            )))}
          </select>
        </label>
        {o && <p className="muted" data-testid="eligible">{o.eligible} eligible patients (curated, with photo and follow-up){o.isSynthetic ? ' · synthetic demo data' : ''}</p>}
        <ErrorNote message={options.error && errorMessage(options.error)} />
        <Field label="Survey name" name="name" value={name} onChange={(e) => setName(e.target.value)} required />
        <fieldset className="checks">
          <legend>Parts</legend>
          {[1, 2, 3].map((p) => (
            <label key={p}><input type="checkbox" checked={parts.includes(p)} onChange={() => setParts(parts.includes(p) ? parts.filter((x) => x !== p) : [...parts, p].sort())} /> Part {p}{p === 1 ? ' (photo only)' : p === 2 ? ' (+ vignette)' : ' (+ FaceAge model)'}</label>
          ))}
        </fieldset>
        {o && parts.some((p) => p >= 2) && (
          <fieldset className="checks">
            <legend>Vignette (parts 2 and 3)</legend>
            {o.vignetteFields.map((f) => (
              <label key={f.key}><input type="checkbox" checked={vignette.includes(f.key)} onChange={() => setVignette(toggle(vignette, f.key))} /> {f.label}</label>
            ))}
          </fieldset>
        )}
        {o && parts.includes(3) && (
          <fieldset>
            <legend>Part 3: FaceAge risk model (Cox, predicted 6-month survival)</legend>
            <label className="field">
              <span>Training cohort</span>
              <select name="training" value={training || cohortId} onChange={(e) => setTraining(e.target.value)}>
                {o.trainingCohorts.map((c) => <option key={c.id} value={c.id}>{c.name}{c.isSynthetic ? ' (synthetic)' : ''}</option>)}
              </select>
            </label>
            <div className="checks">
              <span className="muted">FaceAge + </span>
              {o.modelCovariates.map((f) => (
                <label key={f.key}><input type="checkbox" checked={modelCov.includes(f.key)} onChange={() => setModelCov(toggle(modelCov, f.key))} /> {f.label}</label>
              ))}
            </div>
          </fieldset>
        )}
        <fieldset className="checks">
          <legend>Sample</legend>
          <label><input type="radio" name="sampling" checked={sampling === 'random'} onChange={() => setSampling('random')} /> Random</label>
          <label><input type="radio" name="sampling" checked={sampling === 'stratified'} onChange={() => setSampling('stratified')} /> Stratified</label>
          {sampling === 'stratified' && o && (
            <select aria-label="Stratify by" value={stratifyBy} onChange={(e) => setStratifyBy(e.target.value)}>
              {o.strata.map((s) => <option key={s.key} value={s.key}>{s.label}</option>)}
            </select>
          )}
          <div className="inline">
            <Field label="Sample size" name="size" type="number" min={2} value={size} onChange={(e) => setSize(e.target.value)} required />
            <Field label="Seed (blank = random, recorded)" name="seed" type="number" min={1} value={seed} onChange={(e) => setSeed(e.target.value)} />
          </div>
        </fieldset>
        <ErrorNote message={create.error && errorMessage(create.error)} />
        <button type="submit" disabled={create.isPending || !cohortId}>Create survey</button>
      </form>
    </section>
  );
}
