import { describe, expect, it } from 'vitest';
import { listModels } from '~/models/registry.ts';
import { syncModelVersions } from '~/server/services/model-versions.ts';
import { useTestDatabase } from '../helpers/context.ts';

describe('model versions table', () => {
  it('mirrors the registry with provenance, idempotently', async () => {
    const db = useTestDatabase();
    const n = await syncModelVersions(db);
    await syncModelVersions(db);
    const models = listModels();
    expect(n).toBe(models.length);
    for (const m of models) {
      const row = await db.modelVersion.findUniqueOrThrow({ where: { id: m.id } });
      expect(row).toMatchObject({ role: m.role, kind: m.kind, sha256: m.sha256, origin: m.origin, licence: m.licence });
    }
    expect(models.some((m) => m.role === 'detector')).toBe(true);
    expect(models.some((m) => m.role === 'age' && m.kind === 'baseline')).toBe(true);
  });
});
