import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import { ingestResult } from "../../src/results/ingest.ts";
import { backends, createTestDatabase, type Backend } from "../support/database.ts";
import { MemoryProbe } from "./memory.ts";
import { generateCsvParts } from "./csv-generator.ts";
import { createCollection, createExecution } from "./fixtures.ts";

// A multi-part result generated on the fly: a million rows on PostgreSQL (about 25 s on a
// busy 2-core machine) and a quarter million on PGlite, which writes about half as fast.
// bench/ingest.ts runs the million on both. RESULT_TEST_ROWS sets the size for both.
const rowCounts: Record<Backend, number> = { postgres: 1_000_000, pglite: 250_000 };

/** Live heap growth allowed; holding a million generated rows would take several hundred MB. */
const maxLiveHeapGrowthBytes = 50 * 1024 * 1024;

interface SqlAggregate {
  key: string | null;
  sum: number | null;
  min: number | null;
  max: number | null;
  count: number;
}

/** Aggregates one column of the raw rows in SQL, overall (key null) and per campaign. */
async function aggregateRawRows(
  database: Database,
  resultSetId: string,
  columnIndex: number,
): Promise<SqlAggregate[]> {
  return database.prisma.$queryRaw<SqlAggregate[]>`
    SELECT "values"->>0 AS key,
      sum(("values"->>${columnIndex}::int)::numeric)::float8 AS sum,
      min(("values"->>${columnIndex}::int)::numeric)::float8 AS min,
      max(("values"->>${columnIndex}::int)::numeric)::float8 AS max,
      count("values"->>${columnIndex}::int)::int AS count
    FROM "ResultRow" WHERE "resultSetId" = ${resultSetId}::uuid
    GROUP BY ROLLUP(1)`;
}

function assertClose(actual: number | null, expected: number | null, label: string): void {
  assert.notEqual(actual, null, label);
  assert.notEqual(expected, null, label);
  assert.ok(
    Math.abs(actual! - expected!) <= Math.abs(expected!) * 1e-9,
    `${label}: ${actual} is not ${expected}`,
  );
}

for (const backend of backends) {
  describe(`large ingest on ${backend}`, () => {
    const rowCount = Number(process.env.RESULT_TEST_ROWS ?? rowCounts[backend]);
    let db: Database;
    before(async () => {
      db = await createTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });

    test("multi-part result keeps memory flat", async (t) => {
      const fixture = await createCollection(db, { weekCount: 1 });
      const week = fixture.weeks[0]!;
      const executionId = await createExecution(db, week.id);
      const probe = new MemoryProbe();
      const startedMs = performance.now();
      const result = await ingestResult(db, {
        executionId,
        weekId: week.id,
        collectionId: fixture.collectionId,
        parts: probe.watch(generateCsvParts(rowCount, 3)),
      });
      const elapsedMs = performance.now() - startedMs;
      t.diagnostic(`${rowCount} rows in ${Math.round(elapsedMs)} ms, ${probe.describe()}`);

      assert.equal(result.rowCount, rowCount);
      assert.equal(
        await db.prisma.resultRow.count({ where: { resultSetId: result.resultSetId } }),
        rowCount,
      );
      assert.ok(
        probe.peakLiveHeapGrowthBytes < maxLiveHeapGrowthBytes,
        `live heap grew by ${probe.peakLiveHeapGrowthBytes} bytes`,
      );
      assert.deepEqual(
        result.columns.map((column) => `${column.name}:${column.type}`),
        [
          "campaign:string",
          "ad_type:string",
          "impressions:integer",
          "clicks:integer",
          "spend:decimal",
          "day:date",
          "filtered:boolean",
        ],
      );
    });

    test("summaries match SQL aggregates", async () => {
      const resultSet = await db.prisma.resultSet.findFirstOrThrow({ where: { rowCount } });
      const metrics = await db.prisma.weekMetric.findMany({
        where: { resultSetId: resultSet.id, dimension: { in: ["", "campaign"] } },
      });
      for (const [metric, columnIndex] of [
        ["impressions", 2],
        ["clicks", 3],
        ["spend", 4],
      ] as const) {
        const expected = await aggregateRawRows(db, resultSet.id, columnIndex);
        assert.equal(expected.length, 21, `${metric}: 20 campaigns and the total`);
        for (const row of expected) {
          const stored = metrics.find(
            (candidate) =>
              candidate.metric === metric &&
              candidate.dimension === (row.key === null ? "" : "campaign") &&
              candidate.dimensionValue === (row.key ?? ""),
          );
          const label = `${metric} ${row.key ?? "overall"}`;
          assert.ok(stored, `${label} has a WeekMetric row`);
          assert.equal(stored.count, row.count, label);
          assertClose(stored.sum, row.sum, `${label} sum`);
          assertClose(stored.min, row.min, `${label} min`);
          assertClose(stored.max, row.max, `${label} max`);
        }
      }
    });
  });
}
