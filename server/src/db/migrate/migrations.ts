import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { MigrationList } from "@prisma/schema-engine-wasm";
import type { ErrorCapturingSqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { createSchemaEngine, type EngineLogLine } from "./engine.ts";

/** Folder of the Prisma schema and its migrations, in Prisma's standard layout. */
export const prismaDir = path.resolve(import.meta.dirname, "../../../../prisma");
export const schemaPath = path.join(prismaDir, "schema.prisma");
export const migrationsDir = path.join(prismaDir, "migrations");

const noFilters = { externalTables: [], externalEnums: [] };
const lockfileName = "migration_lock.toml";

/** Reads the migrations folder into the form the schema engine expects. */
export async function readMigrationList(dir = migrationsDir): Promise<MigrationList> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    },
  );
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name, "migration.sql");
      const content = await readFile(file, "utf8").then(
        (sql) => ({ tag: "ok" as const, value: sql }),
        (error: Error) => ({ tag: "error" as const, value: error.message }),
      );
      return { path: name, migrationFile: { path: "migration.sql", content } };
    }),
  );
  const lockContent = await readFile(path.join(dir, lockfileName), "utf8").catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: lockfileName, content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/** Options shared by the migration commands. */
export interface MigrateOptions {
  migrationsDir?: string;
  onLog?: (line: EngineLogLine) => void;
}

/**
 * Applies every pending migration through the wasm schema engine and returns their names.
 * The engine records them in `_prisma_migrations` exactly as `prisma migrate deploy` does and
 * holds PostgreSQL's advisory lock meanwhile, so concurrent callers apply each migration once.
 */
export async function applyMigrations(
  adapter: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  options: MigrateOptions = {},
): Promise<string[]> {
  const engine = await createSchemaEngine(adapter, options.onLog);
  try {
    const migrationsList = await readMigrationList(options.migrationsDir);
    const output = await engine.applyMigrations({ migrationsList, filters: noFilters });
    return output.appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/**
 * Returns the SQL that brings the migrations folder up to the schema, or an empty string when
 * they agree. The migrations are replayed on a throwaway PGlite shadow database.
 */
export async function diffSchemaAgainstMigrations(
  adapter: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  options: MigrateOptions & { schemaFile?: string } = {},
): Promise<string> {
  const schemaFile = options.schemaFile ?? schemaPath;
  const [migrationsList, schema] = await Promise.all([
    readMigrationList(options.migrationsDir),
    readFile(schemaFile, "utf8"),
  ]);
  const engine = await createSchemaEngine(adapter, options.onLog);
  try {
    const from =
      migrationsList.migrationDirectories.length === 0
        ? { tag: "empty" as const }
        : { tag: "migrations" as const, ...migrationsList };
    const result = await engine.diff({
      from,
      to: { tag: "schemaDatamodel", files: [{ path: schemaFile, content: schema }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    const sql = result.stdout ?? "";
    return isEmptyMigration(sql) ? "" : sql;
  } finally {
    engine.free();
  }
}

function isEmptyMigration(sql: string): boolean {
  return sql
    .split("\n")
    .map((line) => line.trim())
    .every((line) => line === "" || line.startsWith("--"));
}

/** Formats a timestamp as Prisma's migration folder prefix, `YYYYMMDDHHMMSS` in UTC. */
export function formatMigrationTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/**
 * Writes the next migration from the difference between the schema and the migrations folder.
 * Returns the new folder's path, or null when the schema has no change to migrate.
 */
export async function createMigration(
  adapter: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  name: string,
  options: MigrateOptions & { now?: Date; schemaFile?: string } = {},
): Promise<string | null> {
  if (!/^[a-z0-9_]+$/.test(name)) {
    throw new Error(
      `Invalid migration name "${name}": use lowercase letters, digits and underscores, for example add_week_index.`,
    );
  }
  const dir = options.migrationsDir ?? migrationsDir;
  const sql = await diffSchemaAgainstMigrations(adapter, options);
  if (sql === "") return null;

  const folder = path.join(dir, `${formatMigrationTimestamp(options.now ?? new Date())}_${name}`);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, "migration.sql"), sql);
  await writeFile(
    path.join(dir, lockfileName),
    '# Written by `pnpm db:migration:create`; the provider must match schema.prisma.\nprovider = "postgresql"\n',
  );
  return folder;
}
