/**
 * The analysis dataset for the dashboards, cached per (cohort, age model, curated/all) so that
 * every chart change does not re-read and re-curate the whole cohort. An entry is reused only
 * while the cohort's fingerprint (one SQL query over patients, photos, QA, estimates, curation
 * rules, covariate definitions, runs and the photo log) is unchanged, and for at most
 * CACHE_TTL_MS; the fingerprint is re-checked when the last check is older than
 * FACEAGE_ANALYSIS_REVALIDATE_MS (default 3 s).
 */
import type { Db } from '../../db/client.ts';
import { analysisDataset, type AnalysisDataset } from '../dataset.ts';
import { UserError } from '../errors.ts';

const CACHE_TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 16;

interface Entry {
  fingerprint: string;
  at: number;
  /** when the fingerprint was last checked against the database */
  checkedAt: number;
  data: AnalysisDataset;
}

const globalCache = globalThis as unknown as { faceageAnalysisCache?: Map<string, Entry> };
const cache = (globalCache.faceageAnalysisCache ??= new Map<string, Entry>());

/** A string that changes whenever anything the analysis dataset depends on changes. */
export async function cohortFingerprint(db: Db, cohortId: string): Promise<string> {
  // one pass over each table (FILTER aggregates), estimates through their photos
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    WITH ph AS (
      SELECT p.id, p."patientId", p."qaStatus", p."qaAt", p."takenAt" FROM "Photo" p WHERE p."cohortId" = ${cohortId}
    )
    SELECT
      (SELECT count(*) || ':' || coalesce(max("updatedAt")::text, '') FROM "Patient" WHERE "cohortId" = ${cohortId}) AS patients,
      (SELECT count(*) || ':' || count(*) FILTER (WHERE "qaStatus" = 'passed') || ':' || count(*) FILTER (WHERE "qaStatus" = 'culled') || ':' ||
              count("patientId") || ':' || coalesce(max("qaAt")::text, '') || ':' || coalesce(sum(hashtext(coalesce("takenAt"::text, '') || coalesce("patientId", ''))), 0)
         FROM ph) AS photos,
      (SELECT count(*) || ':' || count(e.value) || ':' || coalesce(max(e."createdAt")::text, '') FROM "FaceAgeEstimate" e JOIN ph ON ph.id = e."photoId") AS estimates,
      (SELECT md5(coalesce("curationRules"::text, '')) || "isSynthetic"::text FROM "Cohort" WHERE id = ${cohortId}) AS rules,
      (SELECT count(*) FROM "CovariateDefinition" WHERE "cohortId" = ${cohortId}) AS ncov,
      (SELECT count(*) || ':' || coalesce(max("createdAt")::text, '') FROM "BatchRun" WHERE "cohortId" = ${cohortId}) AS runs,
      (SELECT count(*) FROM "PhotoLogEntry" WHERE "cohortId" = ${cohortId}) AS nlog`;
  const r = rows[0] ?? {};
  if (r.rules === null || r.rules === undefined) throw new UserError('cohort not found', 'NOT_FOUND');
  return Object.values(r)
    .map((v) => (v instanceof Date ? v.toISOString() : String(v)))
    .join('|');
}

/**
 * How long a validated cache entry is trusted without asking the database again (ms). Within
 * this window a change elsewhere (QA, curation, a finished run) shows up at the latest this much
 * later; services that change a cohort can call invalidateDataset(cohortId) to see it at once.
 */
function revalidateMs(): number {
  const v = Number(process.env.FACEAGE_ANALYSIS_REVALIDATE_MS ?? 3000);
  return Number.isFinite(v) && v >= 0 ? v : 3000;
}

export interface LoadOptions {
  ageModelId?: string;
  includeExcluded?: boolean;
}

/** The (cached) analysis dataset: curated, QA-passed rows by default. */
export async function loadDataset(db: Db, cohortId: string, opts: LoadOptions = {}): Promise<AnalysisDataset & { cached: boolean; version: string }> {
  const key = `${cohortId}|${opts.ageModelId ?? ''}|${opts.includeExcluded ? 'all' : 'curated'}`;
  const hit = cache.get(key);
  const now = Date.now();
  if (hit && now - hit.at < CACHE_TTL_MS && now - hit.checkedAt < revalidateMs()) return { ...hit.data, cached: true, version: `${key}|${hit.fingerprint}|${hit.at}` };
  const fingerprint = await cohortFingerprint(db, cohortId);
  if (hit && hit.fingerprint === fingerprint && now - hit.at < CACHE_TTL_MS) {
    hit.checkedAt = Date.now();
    // refresh recency for the LRU order
    cache.delete(key);
    cache.set(key, hit);
    return { ...hit.data, cached: true, version: `${key}|${fingerprint}|${hit.at}` };
  }
  const data = await analysisDataset(db, cohortId, { ageModelId: opts.ageModelId, includeExcluded: opts.includeExcluded });
  const at = Date.now();
  cache.set(key, { fingerprint, at, checkedAt: at, data });
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  return { ...data, cached: false, version: `${key}|${fingerprint}|${at}` };
}

/** Drops cached datasets (one cohort, or all). */
export function invalidateDataset(cohortId?: string): void {
  if (!cohortId) cache.clear();
  else for (const k of [...cache.keys()]) if (k.startsWith(`${cohortId}|`)) cache.delete(k);
}

const globalResults = globalThis as unknown as { faceageAnalysisResults?: Map<string, unknown> };
const results = (globalResults.faceageAnalysisResults ??= new Map<string, unknown>());
const MAX_RESULTS = 64;

/**
 * Memoises an analysis result for one dataset version and one set of options, so that going
 * back to a view (or another user opening the same one) answers at once. The dataset version
 * changes whenever the cohort does, so a memoised result is never stale. FACEAGE_ANALYSIS_MEMO=0
 * turns it off (the speed benchmark measures both).
 */
export function memoResult<T>(version: string, what: string, options: unknown, compute: () => T): T {
  if (process.env.FACEAGE_ANALYSIS_MEMO === '0') return compute();
  const key = `${version}|${what}|${JSON.stringify(options)}`;
  if (results.has(key)) {
    const v = results.get(key) as T;
    results.delete(key);
    results.set(key, v);
    return v;
  }
  const v = compute();
  results.set(key, v);
  while (results.size > MAX_RESULTS) results.delete(results.keys().next().value as string);
  return v;
}
