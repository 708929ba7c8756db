import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { cp, mkdtemp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import {
  createPgliteMigrationAdapter,
  createPgMigrationAdapter,
} from "../../src/db/migrate/adapters.ts";
import {
  applyMigrations,
  createMigration,
  diffSchemaAgainstMigrations,
  migrationsDir,
  readMigrationList,
  schemaPath,
} from "../../src/db/migrate/migrations.ts";
import { dropSchema, testPostgresUrl } from "../support/database.ts";

const failingMigrationSql = `CREATE TABLE "half_done" ("id" INTEGER);
-- A ";" inside a comment must not split the script; the division below fails.
SELECT 1 / 0;`;

async function repoMigrationNames(): Promise<string[]> {
  return (await readMigrationList()).migrationDirectories.map((dir) => dir.path);
}

/** Copies the repository's migrations and appends one that fails halfway. */
async function migrationsWithFailingOne(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "amc-migrations-"));
  await cp(migrationsDir, dir, { recursive: true });
  await mkdir(path.join(dir, "29990101000000_fails"));
  await writeFile(path.join(dir, "29990101000000_fails", "migration.sql"), failingMigrationSql);
  return dir;
}

interface Target {
  name: string;
  query(sql: string): Promise<Record<string, unknown>[]>;
  apply(dir?: string): Promise<string[]>;
  close(): Promise<void>;
}

async function openPgliteTarget(): Promise<Target> {
  const db = await PGlite.create();
  return {
    name: "pglite",
    query: async (sql) => (await db.query<Record<string, unknown>>(sql)).rows,
    apply: (dir) => applyMigrations(createPgliteMigrationAdapter(db), { migrationsDir: dir }),
    close: () => db.close(),
  };
}

async function openPostgresTarget(): Promise<Target> {
  const schema = `test_migrate_${randomBytes(6).toString("hex")}`;
  const pool = new pg.Pool({
    connectionString: testPostgresUrl,
    max: 2,
    options: `-c search_path="${schema}"`,
  });
  await pool.query(`CREATE SCHEMA "${schema}"`);
  const apply = async (dir?: string) => {
    const adapter = createPgMigrationAdapter(testPostgresUrl, schema);
    try {
      return await applyMigrations(adapter.factory, { migrationsDir: dir });
    } finally {
      await adapter.close();
    }
  };
  return {
    name: "postgres",
    query: async (sql) => (await pool.query(sql)).rows,
    apply,
    close: async () => {
      await pool.end();
      await dropSchema(schema);
    },
  };
}

const openers = { pglite: openPgliteTarget, postgres: openPostgresTarget };

for (const [backend, open] of Object.entries(openers)) {
  describe(`migrations on ${backend}`, () => {
    test("fresh apply records every migration with its checksum", async () => {
      const target = await open();
      try {
        const applied = await target.apply();
        assert.deepEqual(applied, await repoMigrationNames());
        const rows = await target.query(
          "SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name",
        );
        for (const row of rows) {
          const sql = await readFile(
            path.join(migrationsDir, String(row.migration_name), "migration.sql"),
          );
          assert.equal(row.checksum, createHash("sha256").update(sql).digest("hex"));
          assert.ok(row.finished_at, `${String(row.migration_name)} has no finished_at`);
        }
        const tables = await target.query(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1",
        );
        const names = tables.map((row) => row.table_name);
        for (const table of ["Account", "Collection", "Week", "Execution", "ResultRow"]) {
          assert.ok(names.includes(table), `table ${table} is missing`);
        }
      } finally {
        await target.close();
      }
    });

    test("re-apply is a no-op", async () => {
      const target = await open();
      try {
        await target.apply();
        assert.deepEqual(await target.apply(), []);
        const [row] = await target.query("SELECT count(*)::int AS n FROM _prisma_migrations");
        assert.equal(row?.n, (await repoMigrationNames()).length);
      } finally {
        await target.close();
      }
    });

    test("failing migration is recorded and rolled back", async () => {
      const target = await open();
      const dir = await migrationsWithFailingOne();
      try {
        await assert.rejects(target.apply(dir), /division by zero/);
        const rows = await target.query(
          "SELECT finished_at, logs FROM _prisma_migrations WHERE migration_name = '29990101000000_fails'",
        );
        assert.equal(rows.length, 1);
        assert.equal(rows[0]?.finished_at, null);
        assert.match(String(rows[0]?.logs), /division by zero/);
        const leftovers = await target.query(
          "SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'",
        );
        assert.equal(leftovers.length, 0, "the failed migration's table was not rolled back");
        await assert.rejects(target.apply(dir), /failed migration/i);
      } finally {
        await target.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

describe("migrations on postgres, concurrently", () => {
  test("concurrent apply runs each migration once", async () => {
    const schema = `test_concurrent_${randomBytes(6).toString("hex")}`;
    const client = new pg.Client({ connectionString: testPostgresUrl });
    await client.connect();
    after(async () => {
      await client.end();
      await dropSchema(schema);
    });
    await client.query(`CREATE SCHEMA "${schema}"`);
    // Each caller ends its pool as soon as it is done, as Database.migrate does, because the
    // engine holds the advisory lock until its connection closes.
    const applyOnce = async () => {
      const adapter = createPgMigrationAdapter(testPostgresUrl, schema);
      try {
        return await applyMigrations(adapter.factory);
      } finally {
        await adapter.close();
      }
    };
    const results = await Promise.all([applyOnce(), applyOnce(), applyOnce()]);
    assert.deepEqual(results.flat().sort(), await repoMigrationNames());
    const { rows } = await client.query(
      `SELECT migration_name, count(*)::int AS n FROM "${schema}"._prisma_migrations GROUP BY 1`,
    );
    for (const row of rows) assert.equal(row.n, 1, `${row.migration_name} applied ${row.n} times`);
  });
});

describe("schema drift", () => {
  async function withScratch<T>(run: (db: PGlite) => Promise<T>): Promise<T> {
    const db = await PGlite.create();
    try {
      return await run(db);
    } finally {
      await db.close();
    }
  }

  test("repository schema matches its migrations", async () => {
    const sql = await withScratch((db) =>
      diffSchemaAgainstMigrations(createPgliteMigrationAdapter(db)),
    );
    assert.equal(sql, "");
  });

  test("changed schema yields the next migration", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "amc-drift-"));
    try {
      const migrations = path.join(dir, "migrations");
      await cp(migrationsDir, migrations, { recursive: true });
      const schemaFile = path.join(dir, "schema.prisma");
      const schema = await readFile(schemaPath, "utf8");
      await writeFile(schemaFile, `${schema}\nmodel Probe {\n  id Int @id\n}\n`);
      const options = {
        migrationsDir: migrations,
        schemaFile,
        now: new Date("2030-01-02T03:04:05Z"),
      };
      const sql = await withScratch((db) =>
        diffSchemaAgainstMigrations(createPgliteMigrationAdapter(db), options),
      );
      assert.match(sql, /CREATE TABLE "Probe"/);
      const folder = await withScratch((db) =>
        createMigration(createPgliteMigrationAdapter(db), "add_probe", options),
      );
      assert.equal(path.basename(folder ?? ""), "20300102030405_add_probe");
      assert.ok((await readdir(migrations)).includes("migration_lock.toml"));
      const again = await withScratch((db) =>
        diffSchemaAgainstMigrations(createPgliteMigrationAdapter(db), options),
      );
      assert.equal(again, "", "the new migration should bring the folder up to the schema");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("invalid migration name is rejected", async () => {
    await withScratch((db) =>
      assert.rejects(
        createMigration(createPgliteMigrationAdapter(db), "Bad Name"),
        /Invalid migration name "Bad Name"/,
      ),
    );
  });
});
