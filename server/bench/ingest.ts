// Ingestion benchmark. Prints figures; asserts nothing.
//
//   cd server && node --import tsx bench/ingest.ts [rowCount] [pglite|postgres ...]
//
// Streams a generated result (default 1,000,000 rows in 3 CSV parts) through ingestResult on
// in-memory PGlite and on PostgreSQL (TEST_DATABASE_URL, default 127.0.0.1:5432). It prints
// rows per second and two memory figures. The first is the peak resident set growth. The
// second is the live heap growth after forced full collections every 100,000 rows. On
// in-memory PGlite the resident set also contains the database, so it grows with the data.

import { ingestResult } from "../src/results/ingest.ts";
import { backends, createTestDatabase, type Backend } from "../test/support/database.ts";
import { generateCsvParts } from "../test/results/csv-generator.ts";
import { createCollection, createExecution } from "../test/results/fixtures.ts";
import { MemoryProbe } from "../test/results/memory.ts";

const rowCount = Number(process.argv[2] ?? 1_000_000);
const chosen = process.argv.slice(3) as Backend[];
const selectedBackends = chosen.length > 0 ? chosen : backends;

for (const backend of selectedBackends) {
  const database = await createTestDatabase(backend);
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
