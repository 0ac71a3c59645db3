'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ErrorNote, Field } from '../_components/Field.tsx';
import { errorMessage, useTRPC } from '../_lib/trpc.tsx';

export default function LoginPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ email: '', password: '' });
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: async (user) => {
        await queryClient.invalidateQueries();
        router.push(user.role === 'rater' ? '/survey' : '/studies');
      },
    }),
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    login.mutate(form);
  }
  return (
    <section className="card narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit}>
        <Field label="E-mail" name="email" type="email" autoComplete="username" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} required />
        <Field label="Password" name="password" type="password" autoComplete="current-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required />
        <ErrorNote message={login.error && errorMessage(login.error)} />
        <button type="submit" disabled={login.isPending}>Sign in</button>
      </form>
    </section>
  );
}
