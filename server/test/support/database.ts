import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { openDatabase, openPglite, type Database } from "../../src/db/database.ts";
import { migrationsDir, readMigrationList } from "../../src/db/migrate/migrations.ts";

// Databases for tests, on both backends:
// - "pglite": an in-memory PGlite cloned from a migrated template. The template is built once
//   per migration set and cached on disk, because a fresh PGlite plus migrations takes seconds.
// - "postgres": the PostgreSQL server of the machine (TEST_DATABASE_URL, default
//   postgresql://postgres@127.0.0.1:5432/test), with a fresh schema per database, dropped on close.

export type Backend = "pglite" | "postgres";

export const backends: Backend[] = ["pglite", "postgres"];

export const testPostgresUrl =
  process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

const cacheDir = path.resolve(import.meta.dirname, "../../node_modules/.cache/amc-test-db");

async function migrationsFingerprint(): Promise<string> {
  const list = await readMigrationList(migrationsDir);
  const hash = createHash("sha256");
  for (const dir of list.migrationDirectories) {
    hash.update(dir.path);
    if (dir.migrationFile.content.tag === "ok") hash.update(dir.migrationFile.content.value);
  }
  return hash.digest("hex").slice(0, 16);
}

let templatePromise: Promise<Blob> | undefined;

/** Returns a dump of a migrated PGlite data directory, building and caching it when needed. */
function loadTemplate(): Promise<Blob> {
  templatePromise ??= (async () => {
    const file = path.join(cacheDir, `template-${await migrationsFingerprint()}.tar.gz`);
    const cached = await readFile(file).catch(() => undefined);
    if (cached) return new Blob([cached]);
    const db = await PGlite.create();
    const database = openPglite(db, "template");
    await database.migrate();
    const dump = await db.dumpDataDir("gzip");
    await database.close();
    await mkdir(cacheDir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, Buffer.from(await dump.arrayBuffer()));
    await rename(temporary, file);
    return dump;
  })();
  return templatePromise;
}

/** Opens a migrated, empty database on the given backend. */
export async function createTestDatabase(backend: Backend): Promise<Database> {
  if (backend === "pglite") {
    const db = await PGlite.create({ loadDataDir: await loadTemplate() });
    return openPglite(db, "in-memory PGlite (test)");
  }
  const schema = `test_${randomBytes(6).toString("hex")}`;
  const database = await openDatabase(
    { kind: "postgres", url: testPostgresUrl, poolSize: 5 },
    { schema },
  );
  await database.migrate();
  const close = database.close;
  return {
    ...database,
    close: async () => {
      await close();
      await dropSchema(schema);
    },
  };
}

/** Drops a test schema with a short-lived connection of its own. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
