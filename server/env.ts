import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting of the platform, read from environment variables and validated once.
 * `.env.example` documents each; docker-compose.yml uses the same names.
 */
const schema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection URL')
    .optional()
    .describe('PostgreSQL server; unset = start the embedded PostgreSQL under FACEAGE_DATA_DIR'),
  FACEAGE_DATA_DIR: z.string().min(1).default('.data'),
  PHOTO_STORE_DIR: z.string().min(1).optional(),
  FACEAGE_MODEL_DIR: z.string().min(1).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  COOKIE_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  WORKER_THREADS: z.coerce.number().int().min(1).max(256).default(2),
  EXECUTION_PROVIDER: z.enum(['cpu', 'cuda']).default('cpu'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  FACEAGE_ANALYSIS_REVALIDATE_MS: z.coerce.number().int().min(0).max(3_600_000).default(3000),
});

export type Env = z.infer<typeof schema> & { photoStoreDir: string; dataDir: string };

export class ConfigError extends Error {}

/** Parses the environment; a bad value names the variable and the reason. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  // Empty strings count as unset, as in docker-compose files with `VAR=`.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const dataDir = path.resolve(/*turbopackIgnore: true*/ result.data.FACEAGE_DATA_DIR);
  return {
    ...result.data,
    dataDir,
    photoStoreDir: path.resolve(/*turbopackIgnore: true*/ result.data.PHOTO_STORE_DIR ?? path.join(dataDir, 'photos')),
  };
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
