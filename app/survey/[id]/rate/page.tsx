'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ErrorNote } from '../../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../../_lib/trpc.tsx';
import { PART_TITLES } from '../../_components/util.ts';

interface Form {
  age: string;
  survive: boolean | null;
  prob: string;
}

/**
 * Rater entry: one patient at a time. Keyboard: type the age, Tab, Y / N for 6-month survival,
 * type the probability, Enter = save and next; Alt+← / Alt+→ = previous / next patient.
 * Every change is saved as it is made; the page resumes at the first unanswered patient.
 */
export default function RatePage() {
  const { id: surveyId } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [part, setPart] = useState<number | undefined>(undefined);
  const [index, setIndex] = useState<number | undefined>(undefined);
  const view = useQuery(trpc.survey.view.queryOptions({ surveyId, part, index }, { staleTime: 0, refetchOnWindowFocus: false }));
  const v = view.data;
  const [form, setForm] = useState<Form>({ age: '', survive: null, prob: '' });
  const [saveState, setSaveState] = useState<string>('');
  const loadedFor = useRef<string | null>(null);
  const ageRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!v) return;
    const key = `${v.part}:${v.item.id}`;
    if (loadedFor.current === key) return;
    loadedFor.current = key;
    setForm({
      age: v.answer?.estimatedAge?.toString() ?? '',
      survive: v.answer?.survive6m ?? null,
      prob: v.answer?.survivalProbability?.toString() ?? '',
    });
    setSaveState('');
    lastSent.current = '';
    if (part === undefined) setPart(v.part);
    if (index === undefined) setIndex(v.index);
    if (!v.locked) setTimeout(() => (v.askAge ? ageRef.current : document.getElementById('prob'))?.focus(), 0);
  }, [v, part, index]);

  const save = useMutation(trpc.survey.save.mutationOptions());
  const submit = useMutation(
    trpc.survey.submitPart.mutationOptions({
      onSuccess: async (res) => {
        await queryClient.invalidateQueries({ queryKey: trpc.survey.mine.queryKey() });
        loadedFor.current = null;
        if (res.nextPart) {
          setPart(res.nextPart);
          setIndex(undefined);
        } else {
          await view.refetch();
        }
      },
    }),
  );

  // Saves run one after another (a later save never overtakes an earlier one) and unchanged
  // answers are not re-sent.
  const chain = useRef<Promise<boolean>>(Promise.resolve(true));
  const lastSent = useRef<string>('');
  const persist = useCallback(
    (f: Form): Promise<boolean> => {
      if (!v || v.locked) return Promise.resolve(true);
      const age = f.age.trim() === '' ? null : Number(f.age);
      const prob = f.prob.trim() === '' ? null : Number(f.prob);
      if ((age !== null && !(age >= 0 && age <= 120)) || (prob !== null && !(Number.isInteger(prob) && prob >= 0 && prob <= 100))) {
        setSaveState('not saved: age 0–120, probability a whole number 0–100');
        return Promise.resolve(false);
      }
      const input = { surveyId, part: v.part, itemId: v.item.id, ...(v.askAge ? { estimatedAge: age } : {}), survive6m: f.survive, survivalProbability: prob };
      const key = JSON.stringify(input);
      const initial = JSON.stringify({ surveyId, part: v.part, itemId: v.item.id, ...(v.askAge ? { estimatedAge: v.answer?.estimatedAge ?? null } : {}), survive6m: v.answer?.survive6m ?? null, survivalProbability: v.answer?.survivalProbability ?? null });
      const run = async () => {
        if (key === lastSent.current || (lastSent.current === '' && key === initial)) return true;
        setSaveState('saving…');
        try {
          await save.mutateAsync(input);
          lastSent.current = key;
          setSaveState('saved');
          void queryClient.invalidateQueries({ queryKey: trpc.survey.view.queryKey() });
          return true;
        } catch (err) {
          setSaveState(`not saved: ${errorMessage(err)}`);
          return false;
        }
      };
      chain.current = chain.current.then(run, run);
      return chain.current;
    },
    [v, save, surveyId, queryClient, trpc],
  );

  const go = async (to: number) => {
    if (!v || to < 0 || to >= v.total) return;
    if (!(await persist(form))) return;
    loadedFor.current = null;
    setIndex(to);
    await queryClient.invalidateQueries({ queryKey: trpc.survey.view.queryKey() });
  };

  const update = (patch: Partial<Form>, saveNow = false) => {
    const next = { ...form, ...patch };
    setForm(next);
    if (saveNow) void persist(next);
  };

  const onKey = (e: KeyboardEvent) => {
    if (!v) return;
    const inText = (e.target as HTMLElement).tagName === 'INPUT' && (e.target as HTMLInputElement).type !== 'radio';
    if (e.altKey && e.key === 'ArrowRight') { e.preventDefault(); void go(v.index + 1); }
    else if (e.altKey && e.key === 'ArrowLeft') { e.preventDefault(); void go(v.index - 1); }
    else if (!inText && !v.locked && (e.key === 'y' || e.key === 'Y')) update({ survive: true }, true);
    else if (!inText && !v.locked && (e.key === 'n' || e.key === 'N')) update({ survive: false }, true);
  };

  if (view.error) return <section><ErrorNote message={errorMessage(view.error)} /><Link href="/survey">Back to my surveys</Link></section>;
  if (!v) return <p className="muted">Loading…</p>;
  const complete = v.done.every(Boolean);
  const answeredHere = v.done.filter(Boolean).length;
  return (
    <section onKeyDown={onKey}>
      <p className="muted"><Link href="/survey">My surveys</Link> · {v.survey.name}</p>
      <div className="row">
        {v.survey.parts.map((p) => {
          const open = v.survey.parts.filter((q) => q < p).every((q) => v.survey.submittedParts.includes(q));
          return (
            <button key={p} type="button" className={p === v.part ? '' : 'secondary'} disabled={!open} onClick={() => { loadedFor.current = null; setPart(p); setIndex(undefined); }}>
              Part {p}{v.survey.submittedParts.includes(p) ? ' ✓' : ''}
            </button>
          );
        })}
      </div>
      <h1>{PART_TITLES[v.part]}</h1>
      <p data-testid="progress">Patient {v.index + 1} of {v.total} · {answeredHere} answered</p>
      <div className="progress" aria-hidden><span style={{ width: `${(100 * answeredHere) / v.total}%` }} /></div>
      {v.locked && <p className="locked" role="status">Part {v.part} is submitted: answers are locked.</p>}
      <div className="rate">
        <div>
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img className="photo" src={v.item.photoUrl} alt={`Patient ${v.index + 1}`} />
        </div>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (v.index + 1 < v.total) void go(v.index + 1);
            else void persist(form).then(() => view.refetch());
          }}
        >
          {v.item.vignette && (
            <table className="vignette" aria-label="Clinical information">
              <tbody>
                {v.item.vignette.map((f) => (
                  <tr key={f.label}><td>{f.label}</td><td>{f.value}</td></tr>
                ))}
              </tbody>
            </table>
          )}
          {v.item.model && (
            <div className="model-box" data-testid="model-prediction">
              FaceAge risk model: predicted probability of surviving 6 months <strong>{v.item.model.survival6m.toFixed(1)}%</strong>
            </div>
          )}
          {v.askAge && (
            <label className="field">
              <span>Estimated age (years)</span>
              <input ref={ageRef} name="age" type="number" min={0} max={120} step={1} inputMode="numeric" value={form.age} disabled={v.locked}
                onChange={(e) => update({ age: e.target.value })} onBlur={() => void persist(form)} />
            </label>
          )}
          <fieldset disabled={v.locked}>
            <legend>Will the patient be alive 6 months from the photo? (Y / N)</legend>
            <label><input type="radio" name="survive" checked={form.survive === true} onChange={() => update({ survive: true }, true)} /> Yes</label>
            <label><input type="radio" name="survive" checked={form.survive === false} onChange={() => update({ survive: false }, true)} /> No</label>
          </fieldset>
          <label className="field">
            <span>Probability of surviving 6 months (%)</span>
            <input id="prob" name="prob" type="number" min={0} max={100} step={1} inputMode="numeric" value={form.prob} disabled={v.locked}
              onChange={(e) => update({ prob: e.target.value })} onBlur={() => void persist(form)} />
          </label>
          <div className="row">
            <button type="button" className="secondary" disabled={v.index === 0} onClick={() => void go(v.index - 1)}>Previous</button>
            <button type="submit">{v.index + 1 < v.total ? 'Next' : 'Save'}</button>
            <span className="save-state" role="status" data-testid="save-state">{saveState}</span>
          </div>
          <div className="dots" aria-label="Patients">
            {v.done.map((d, i) => (
              <button key={i} type="button" className={`${d ? 'done' : ''} ${i === v.index ? 'current' : ''}`} title={`Patient ${i + 1}${d ? ' (answered)' : ''}`} onClick={() => void go(i)}>{i + 1}</button>
            ))}
          </div>
          {!v.locked && (
            <div className="card">
              {complete ? <p>All {v.total} patients answered. Submitting locks your answers for this part.</p> : <p className="muted">Answer every patient to submit this part ({v.total - answeredHere} left).</p>}
              <button type="button" disabled={!complete || submit.isPending} onClick={() => { if (window.confirm(`Submit part ${v.part}? Your answers will be locked.`)) submit.mutate({ surveyId, part: v.part }); }}>
                Submit part {v.part}
              </button>
              <ErrorNote message={submit.error && errorMessage(submit.error)} />
            </div>
          )}
          <p className="muted" style={{ fontSize: '.8rem' }}>Keys: Y / N answer survival · Enter saves and moves on · Alt+← / Alt+→ previous / next.</p>
        </form>
      </div>
    </section>
  );
}
