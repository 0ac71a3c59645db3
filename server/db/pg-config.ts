import pg from 'pg';
import { parse } from 'pg-connection-string';
import type { PoolConfig } from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

/**
 * pg Client that reports PostgreSQL `name`/`char` columns (oids 19, 18) as text, working around
 * prisma/orm#27403 ("Column type 'name' could not be deserialized") in the migration engine.
 */
class NameAsTextClient extends pg.Client {
  // pg's query() has promise and callback forms; retag the fields in both.
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: Error | null, res: pg.QueryResult) => {
        if (res) retagNameFields(res);
        (last as (e: Error | null, r: pg.QueryResult) => void)(err, res);
      };
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const result = (super.query as any)(...args);
    if (result && typeof result.then === 'function') {
      return result.then((res: pg.QueryResult) => retagNameFields(res)) as never;
    }
    return result as never;
  }
}

function retagNameFields(res: pg.QueryResult): pg.QueryResult {
  for (const field of res?.fields ?? []) {
    if (field.dataTypeID === 19 || field.dataTypeID === 18) field.dataTypeID = 25;
  }
  return res;
}

/**
 * Connection settings as parsed fields, not a connection string: the adapter derives the
 * migration shadow database by overriding `database`, which a connectionString would shadow.
 */
export function pgAdapterConfig(url: string): PoolConfig {
  const parsed = parse(url);
  return {
    host: parsed.host ?? undefined,
    port: parsed.port ? Number(parsed.port) : undefined,
    user: parsed.user ?? undefined,
    password: parsed.password ?? undefined,
    database: parsed.database ?? undefined,
    Client: NameAsTextClient,
  };
}

/**
 * Driver-adapter factory for the migration engine. Same as PrismaPg, except that the shadow
 * database used by `migrate dev` is dropped after its pool has closed (WITH (FORCE)); the stock
 * adapter drops it while its own connection is still open and `migrate dev` fails.
 */
export function migrationAdapter(url: string): SqlMigrationAwareDriverAdapterFactory {
  const config = pgAdapterConfig(url);
  const main = new PrismaPg(config);
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: () => main.connect(),
    async connectToShadowDb() {
      const admin = await main.connect();
      const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
      await admin.executeScript(`CREATE DATABASE "${database}"`);
      const shadow = await new PrismaPg({ ...config, database }).connect();
      const dispose = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await dispose();
        await admin.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        await admin.dispose();
      };
      return shadow;
    },
  };
}
