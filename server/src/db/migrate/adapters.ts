import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";

// Adapter factories for the wasm schema engine. They fix faults of the stock adapters seen with
// @prisma/adapter-pg 7.10.0 and pglite-prisma-adapter 0.7.2:
// - pglite-prisma-adapter's executeScript does not await PGlite's exec, so a failing migration
//   was recorded as applied with its schema missing;
// - adapter-pg's executeScript splits the script on ";", which breaks on a ";" inside a comment
//   or a function body and runs the pieces outside one transaction;
// - adapter-pg's connectToShadowDb creates a database on the server (and can leave it behind);
//   shadow databases here are always throwaway in-memory PGlite instances.

/** Error-mapping hook that both stock adapters define on their connections. */
interface ErrorMapping {
  onError(error: unknown): never;
}

/** Rethrows a database error the way the adapter does, so the engine receives its code. */
function rethrowAsDriverError(adapter: SqlDriverAdapter, error: unknown): never {
  if (error instanceof DriverAdapterError) throw error;
  const mapping = adapter as unknown as Partial<ErrorMapping>;
  if (typeof mapping.onError === "function") mapping.onError(error);
  throw error;
}

/** Wraps a connection so that executeScript sends the whole script as one simple query. */
function withAtomicScripts(
  adapter: SqlDriverAdapter,
  runScript: (script: string) => Promise<unknown>,
): SqlDriverAdapter {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      if (property === "executeScript") {
        // A multi-statement simple query runs in one implicit transaction, so a failing
        // migration leaves nothing behind.
        return async (script: string) => {
          try {
            await runScript(script);
          } catch (error) {
            rethrowAsDriverError(target, error);
          }
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function connectPgliteShadow(): Promise<SqlDriverAdapter> {
  const shadow = await PGlite.create();
  const adapter = await new PrismaPGlite(shadow).connect();
  const wrapped = withAtomicScripts(adapter, (script) => shadow.exec(script));
  return new Proxy(wrapped, {
    get(target, property, receiver) {
      if (property === "dispose") return () => shadow.close();
      return Reflect.get(target, property, receiver);
    },
  });
}

/** Creates the engine's adapter factory for an open PGlite database. */
export function createPgliteMigrationAdapter(
  db: PGlite,
): ErrorCapturingSqlMigrationAwareDriverAdapterFactory {
  const base = new PrismaPGlite(db);
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => withAtomicScripts(await base.connect(), (script) => db.exec(script)),
    connectToShadowDb: connectPgliteShadow,
  };
  return bindMigrationAwareSqlAdapterFactory(factory);
}

/**
 * Creates the engine's adapter factory for a PostgreSQL server. The engine keeps its connection
 * and advisory lock until the pool's idle timeout, so the pool has one connection and the caller
 * ends it with `close` as soon as the engine is done.
 */
export function createPgMigrationAdapter(
  connectionString: string,
  schema?: string,
): { factory: ErrorCapturingSqlMigrationAwareDriverAdapterFactory; close(): Promise<void> } {
  const pool = new pg.Pool({
    connectionString,
    max: 1,
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
  });
  const base = new PrismaPg(pool, schema ? { schema } : undefined);
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => withAtomicScripts(await base.connect(), (script) => pool.query(script)),
    connectToShadowDb: connectPgliteShadow,
  };
  return { factory: bindMigrationAwareSqlAdapterFactory(factory), close: () => pool.end() };
}
