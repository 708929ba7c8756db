import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { DatabaseConfig } from "../config.ts";
import { PrismaClient } from "../generated/prisma/client.ts";
import { ensureWritableDataDir, lockDataDir, type DataDirLock } from "./data-dir-lock.ts";
import { createPgliteMigrationAdapter, createPgMigrationAdapter } from "./migrate/adapters.ts";
import { applyMigrations, readMigrationList } from "./migrate/migrations.ts";

/** Error raised when the configured database cannot be opened; the message names the fix. */
export class DatabaseOpenError extends Error {
  override name = "DatabaseOpenError";
}

/** An open database with its Prisma client and the raw handle behind it. */
export interface Database {
  readonly kind: "postgres" | "pglite";
  readonly prisma: PrismaClient;
  /** Where the data lives, safe to log: the URL without its password, or the directory. */
  readonly description: string;
  /** The PGlite instance in embedded mode. */
  readonly pglite?: PGlite;
  /** The connection pool on a PostgreSQL server. */
  readonly pool?: pg.Pool;
  /**
   * A second, smaller pool on a PostgreSQL server for the scheduler's named prepared statements
   * (src/db/direct-query.ts). Its sessions use generic plans, so such a statement is planned once
   * per connection. With PostgreSQL's default setting the large ones were planned on every call.
   */
  readonly statementPool?: pg.Pool;
  /** Connection settings for opening extra connections (LISTEN) on a PostgreSQL server. */
  readonly connection?: { url: string; schema?: string };
  /** Applies pending migrations and returns the names of those applied. */
  migrate(): Promise<string[]>;
  /** Returns true when every migration in prisma/migrations has been applied. */
  isMigrated(): Promise<boolean>;
  /** Runs a trivial query; rejects when the database is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Returns the URL with its password replaced, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}

/** Options for the PostgreSQL pool that are not part of the server's configuration. */
export interface OpenOptions {
  /** Tests give each file its own schema; it is created when missing. */
  schema?: string;
}

/** Opens the configured database. It does not migrate; call `migrate` for that. */
export async function openDatabase(
  config: DatabaseConfig,
  options: OpenOptions = {},
): Promise<Database> {
  switch (config.kind) {
    case "postgres":
      return openPostgres(config.url, config.poolSize, options.schema ?? config.schema);
    case "pglite":
      return openPgliteDir(config.dataDir);
    case "pglite-memory":
      return openPglite(await PGlite.create(), "in-memory PGlite");
  }
}

/** Wraps an open PGlite instance, for example one cloned from a test template. */
export function openPglite(db: PGlite, description: string, lock?: DataDirLock): Database {
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
  return {
    kind: "pglite",
    prisma,
    description,
    pglite: db,
    migrate: () => applyMigrations(createPgliteMigrationAdapter(db)),
    isMigrated: () => hasAppliedAllMigrations((sql) => db.query(sql).then((r) => r.rows)),
    ping: async () => {
      await db.query("SELECT 1");
    },
    close: async () => {
      await prisma.$disconnect();
      if (!db.closed) await db.close();
      lock?.release();
    },
  };
}

async function openPgliteDir(dataDir: string): Promise<Database> {
  const root = dataDir.replace(/[/\\]pglite$/, "");
  ensureWritableDataDir(root);
  mkdirSync(dataDir, { recursive: true });
  const lock = lockDataDir(root);
  try {
    const db = await PGlite.create(dataDir);
    return openPglite(db, `PGlite in ${dataDir}`, lock);
  } catch (error) {
    lock.release();
    throw new DatabaseOpenError(
      `Cannot open the embedded database in ${dataDir}: ${(error as Error).message}. ` +
        "If the directory holds no data you need, remove it to start afresh.",
      { cause: error },
    );
  }
}

/** Size of the statement pool for a given DATABASE_POOL_SIZE. */
function statementPoolSize(poolSize: number): number {
  return Math.max(2, Math.ceil(poolSize / 2));
}

async function openPostgres(url: string, poolSize: number, schema?: string): Promise<Database> {
  const description = redactUrl(url) + (schema ? ` (schema ${schema})` : "");
  const searchPath = schema ? `-c search_path="${schema}"` : "";
  const openPool = (max: number, options: string) => {
    const opened = new pg.Pool({
      connectionString: url,
      max,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      ...(options ? { options } : {}),
    });
    // Idle clients can fail when the server restarts; the pool replaces them on the next query.
    opened.on("error", () => {});
    return opened;
  };
  const pool = openPool(poolSize, searchPath);
  // Connects only when the scheduler runs its first statement.
  const statementPool = openPool(
    statementPoolSize(poolSize),
    `${searchPath} -c plan_cache_mode=force_generic_plan`.trim(),
  );
  try {
    const client = await pool.connect();
    try {
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    await statementPool.end().catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    throw new DatabaseOpenError(
      `Cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}` +
        `${code ? ` (${code})` : ""}. Check that the server is running and that DATABASE_URL ` +
        "names the right host, port, user and database.",
      { cause: error },
    );
  }
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool, schema ? { schema } : undefined),
  });
  return {
    kind: "postgres",
    prisma,
    description,
    pool,
    statementPool,
    connection: { url, ...(schema ? { schema } : {}) },
    migrate: async () => {
      const adapter = createPgMigrationAdapter(url, schema);
      try {
        return await applyMigrations(adapter.factory);
      } finally {
        await adapter.close();
      }
    },
    isMigrated: () => hasAppliedAllMigrations((sql) => pool.query(sql).then((r) => r.rows)),
    ping: async () => {
      await pool.query("SELECT 1");
    },
    close: async () => {
      await prisma.$disconnect();
      await pool.end();
      await statementPool.end();
    },
  };
}

async function hasAppliedAllMigrations(
  query: (sql: string) => Promise<unknown[]>,
): Promise<boolean> {
  const expected = (await readMigrationList()).migrationDirectories.map((dir) => dir.path);
  let rows: unknown[];
  try {
    rows = await query(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
  } catch {
    return false;
  }
  const applied = new Set(rows.map((row) => (row as { migration_name: string }).migration_name));
  return expected.every((name) => applied.has(name));
}
