'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ErrorNote, Field } from '../_components/Field.tsx';
import { errorMessage, useTRPC } from '../_lib/trpc.tsx';

export default function SetupPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const setup = useMutation(
    trpc.auth.setupAdmin.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        router.push('/studies');
      },
    }),
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    setup.mutate(form);
  }
  return (
    <section className="card narrow">
      <h1>Welcome — create the administrator account</h1>
      <p className="muted">This is the first start of this FaceAge platform. The administrator manages users and models.</p>
      <form onSubmit={submit}>
        <Field label="Full name" name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        <Field label="E-mail" name="email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} required />
        <Field label="Password (at least 10 characters)" name="password" type="password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required minLength={10} />
        <ErrorNote message={setup.error && errorMessage(setup.error)} />
        <button type="submit" disabled={setup.isPending}>Create administrator</button>
      </form>
    </section>
  );
}
