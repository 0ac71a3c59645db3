'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorNote, Field } from '../../_components/Field.tsx';
import { errorMessage, useTRPC } from '../../_lib/trpc.tsx';

const ROLES = ['coordinator', 'analyst', 'rater', 'admin'] as const;

export default function UsersPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const [form, setForm] = useState({ name: '', email: '', password: '', role: 'coordinator' as (typeof ROLES)[number], profession: '' });
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: () => {
        setForm({ ...form, name: '', email: '', password: '', profession: '' });
        void queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
      },
    }),
  );
  if (users.error) return <ErrorNote message={errorMessage(users.error)} />;
  return (
    <section>
      <h1>Users</h1>
      <table>
        <thead><tr><th>Name</th><th>E-mail</th><th>Role</th><th>Profession</th></tr></thead>
        <tbody>
          {users.data?.map((u) => (
            <tr key={u.id}><td>{u.name}</td><td>{u.email}</td><td>{u.role}</td><td>{u.profession ?? ''}</td></tr>
          ))}
        </tbody>
      </table>
      <form className="card" onSubmit={(e: FormEvent) => { e.preventDefault(); create.mutate({ ...form, profession: form.profession || undefined }); }}>
        <h2>Add a user</h2>
        <Field label="Full name" name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        <Field label="E-mail" name="email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} required />
        <Field label="Initial password" name="password" type="password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required minLength={10} />
        <label className="field"><span>Role</span>
          <select name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as (typeof ROLES)[number] })}>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <Field label="Profession (raters)" name="profession" value={form.profession} onChange={(e) => setForm({ ...form, profession: e.target.value })} />
        <ErrorNote message={create.error && errorMessage(create.error)} />
        <button type="submit" disabled={create.isPending}>Create user</button>
      </form>
    </section>
  );
}
