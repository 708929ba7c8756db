// Ingestion benchmark. Prints figures; asserts nothing.
//
//   cd server && node --import tsx bench/ingest.ts [rowCount] [pglite|postgres|pglite-dir ...]
//
// Streams a generated result (default 1,000,000 rows in 3 CSV parts) through ingestResult on
// in-memory PGlite, on PostgreSQL (TEST_DATABASE_URL, default 127.0.0.1:5432) and on PGlite in
// a temporary data directory (pglite-dir). It prints rows per second and two memory figures.
// The first is the peak resident set growth. The second is the live heap growth after forced
// full collections every 100,000 rows. On in-memory PGlite the resident set also contains the
// database, so it grows with the data. Run one backend per process for a clean resident set
// baseline, e.g. `bench/ingest.ts 1000000 postgres`.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase, type Database } from "../src/db/database.ts";
import { ingestResult } from "../src/results/ingest.ts";
import { backends, createTestDatabase, type Backend } from "../test/support/database.ts";
import { generateCsvParts } from "../test/results/csv-generator.ts";
import { createCollection, createExecution } from "../test/results/fixtures.ts";
import { MemoryProbe } from "../test/results/memory.ts";

/** Backends of the benchmark: the test backends, and PGlite on a data directory on disk. */
type BenchBackend = Backend | "pglite-dir";

const rowCount = Number(process.argv[2] ?? 1_000_000);
const chosen = process.argv.slice(3) as BenchBackend[];
const selectedBackends: BenchBackend[] = chosen.length > 0 ? chosen : [...backends, "pglite-dir"];

/** Opens a migrated PGlite in a temporary directory, which is removed on close. */
async function openPgliteOnDisk(): Promise<Database> {
  const root = mkdtempSync(path.join(tmpdir(), "amc-ingest-bench-"));
  const database = await openDatabase({ kind: "pglite", dataDir: path.join(root, "pglite") });
  await database.migrate();
  return {
    ...database,
    close: async () => {
      await database.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

for (const backend of selectedBackends) {
  const database =
    backend === "pglite-dir" ? await openPgliteOnDisk() : await createTestDatabase(backend);
  try {
    const fixture = await createCollection(database, { weekCount: 1 });
    const week = fixture.weeks[0]!;
    const executionId = await createExecution(database, week.id);
    const probe = new MemoryProbe();
    const startedMs = performance.now();
    await ingestResult(database, {
      executionId,
      weekId: week.id,
      collectionId: fixture.collectionId,
      parts: probe.watch(generateCsvParts(rowCount, 3)),
    });
    const elapsedMs = performance.now() - startedMs;
    const rowsPerSecond = Math.round((rowCount / elapsedMs) * 1000);
    console.log(
      `${backend}: ${rowCount} rows in ${(elapsedMs / 1000).toFixed(1)} s, ` +
        `${rowsPerSecond} rows/s, ${probe.describe()}`,
    );
  } finally {
    await database.close();
  }
}
