import { listModels } from '~/models/registry.ts';
import type { Db } from '../db/client.ts';

/**
 * Mirrors the model registry (models/registry.ts: built-ins plus imported models) into the
 * ModelVersion table, so every estimate in the database can be joined to its model's
 * provenance (role, sha256, origin, licence, input spec). Idempotent; run at start-up.
 */
export async function syncModelVersions(db: Db): Promise<number> {
  const models = listModels();
  for (const m of models) {
    const data = { role: m.role, kind: m.kind, name: m.name, sha256: m.sha256, origin: m.origin, licence: m.licence, inputSpec: m.inputSpec as object };
    await db.modelVersion.upsert({ where: { id: m.id }, create: { id: m.id, ...data }, update: data });
  }
  return models.length;
}
