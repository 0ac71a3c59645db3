import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '~/generated/prisma/client.ts';
import { pgAdapterConfig } from './pg-config.ts';

export type Db = PrismaClient;

const globalForDb = globalThis as unknown as { faceageDb?: PrismaClient };

/** One PrismaClient per process (Next.js dev reloads modules; the global keeps one pool). */
export function db(): PrismaClient {
  if (!globalForDb.faceageDb) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set (the launcher sets it for the embedded database)');
    globalForDb.faceageDb = new PrismaClient({ adapter: new PrismaPg({ ...pgAdapterConfig(url), max: 10 }) });
  }
  return globalForDb.faceageDb;
}

export async function closeDb(): Promise<void> {
  await globalForDb.faceageDb?.$disconnect();
  globalForDb.faceageDb = undefined;
}
