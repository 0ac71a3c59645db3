/**
 * What the cohort workflow needs to know about models: ids, labels and kinds, from the model
 * registry (models/registry.ts) with the synthetic demo model recognised by its id.
 */
import { BASELINE_AGE_ID, DETECTOR_ID, listModels, type ModelEntry } from '~/models/registry.ts';
import type { Db } from '../db/client.ts';

export const DEFAULT_DETECTOR_ID = DETECTOR_ID;
export const SYNTHETIC_AGE_MODEL_ID = 'synthetic-demo';
export const SYNTHETIC_DETECTOR_ID = 'synthetic';

export type AgeModelKind = 'faceage' | 'baseline' | 'synthetic';

function safeList(): ModelEntry[] {
  try {
    return listModels();
  } catch {
    // A malformed registry.json must not take the cohort pages down: built-ins only.
    return [];
  }
}

/** Age models a run may use, default first. */
export function ageModels(): { id: string; name: string; kind: AgeModelKind; isDefault: boolean; label: string }[] {
  const list = safeList().filter((m) => m.role === 'age');
  if (list.length === 0) list.push({ id: BASELINE_AGE_ID, name: 'Baseline apparent-age model', kind: 'baseline', isDefault: true } as ModelEntry);
  return list
    .map((m) => ({
      id: m.id,
      name: m.name,
      kind: (m.kind === 'faceage' ? 'faceage' : 'baseline') as AgeModelKind,
      isDefault: m.isDefault,
      label: m.kind === 'faceage' ? m.id : `${m.id} (baseline, not FaceAge)`,
    }))
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
}

export function defaultAgeModelId(): string {
  return ageModels()[0]?.id ?? BASELINE_AGE_ID;
}

export async function ageModelKind(db: Db, ageModelId: string): Promise<AgeModelKind> {
  if (ageModelId === SYNTHETIC_AGE_MODEL_ID || ageModelId.startsWith('synthetic')) return 'synthetic';
  const entry = safeList().find((m) => m.id === ageModelId);
  if (entry) return entry.kind === 'faceage' ? 'faceage' : 'baseline';
  const version = await db.modelVersion.findUnique({ where: { id: ageModelId } }).catch(() => null);
  if (version?.kind === 'faceage') return 'faceage';
  if (version?.kind === 'synthetic') return 'synthetic';
  return 'baseline';
}
