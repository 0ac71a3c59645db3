'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '../_lib/trpc.tsx';

export function Nav() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.auth.status.queryOptions());
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        router.push('/login');
      },
    }),
  );
  const user = status.data?.user;
  return (
    <header className="nav">
      <Link href="/" className="brand">FaceAge</Link>
      {user && user.role !== 'rater' && <Link href="/studies">Studies</Link>}
      {user && <Link href="/survey">Surveys</Link>}
      {user?.role === 'admin' && <Link href="/admin/users">Users</Link>}
      <span className="spacer" />
      {user && (
        <>
          <span className="who" data-testid="current-user">{user.name} · {user.role}</span>
          <button className="link" onClick={() => logout.mutate()}>Sign out</button>
        </>
      )}
    </header>
  );
}
