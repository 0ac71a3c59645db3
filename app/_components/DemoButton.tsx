'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { errorMessage, useTRPC } from '../_lib/trpc.tsx';

/** Admins: create a clearly labelled synthetic demo cohort and open its dashboards. */
export function DemoButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const create = useMutation(
    trpc.analysis.createDemo.mutationOptions({
      onSuccess: async (res) => {
        await queryClient.invalidateQueries({ queryKey: trpc.studies.list.queryKey() });
        router.push(`/cohorts/${res.cohortId}/analysis`);
      },
    }),
  );
  return (
    <div className="card inline" data-testid="demo-card">
      <div style={{ flex: 1 }}>
        <strong>Synthetic demo</strong>
        <p className="muted" style={{ margin: '.2rem 0 0' }}>
          Creates a cohort of 1,000 synthetic patients (no photos, not real people; FaceAge and survival drawn from a stated model) so every dashboard can be explored.
        </p>
      </div>
      <button type="button" className="secondary" disabled={create.isPending} onClick={() => create.mutate({ patients: 1000, seed: 42 })}>
        {create.isPending ? 'Creating…' : 'Create synthetic demo cohort'}
      </button>
      {create.error && <p className="error">{errorMessage(create.error)}</p>}
    </div>
  );
}
