'use client';

import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { useTRPC } from './_lib/trpc.tsx';

/** Sends each visitor where they belong: first-run setup, sign-in, or their home page. */
export default function Home() {
  const trpc = useTRPC();
  const router = useRouter();
  const status = useQuery(trpc.auth.status.queryOptions());
  useEffect(() => {
    if (!status.data) return;
    if (status.data.needsSetup) router.replace('/setup');
    else if (!status.data.user) router.replace('/login');
    else router.replace(status.data.user.role === 'rater' ? '/survey' : '/studies');
  }, [status.data, router]);
  return <p className="muted">Loading…</p>;
}
