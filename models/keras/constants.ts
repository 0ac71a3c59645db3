/** Light constants and helpers of the Keras import (no heavy imports: used by the CLI at start-up). */
import type { ModelEntry } from '../registry.ts';

export const FACEAGE_RELEASE_URL = 'https://github.com/AIM-Harvard/FaceAge/releases/download/v1/faceage_model.h5';

/** The .h5 sha256 recorded in an imported entry's origin ("… sha256:<hex> …"). */
export function h5ShaOf(entry: Pick<ModelEntry, 'origin'>): string | null {
  return /sha256:([0-9a-f]{64})/.exec(entry.origin)?.[1] ?? null;
}
