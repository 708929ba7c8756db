import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import { ingestResult } from "../../src/results/ingest.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import { createCollection, createExecution, csvPart, storeWeekResult } from "./fixtures.ts";

async function readRows(database: Database, resultSetId: string): Promise<unknown[]> {
  const rows = await database.prisma.resultRow.findMany({
    where: { resultSetId },
    orderBy: { rowNumber: "asc" },
  });
  return rows.map((row) => row.values);
}

for (const backend of backends) {
  describe(`ingestResult on ${backend}`, () => {
    let db: Database;
    before(async () => {
      db = await createTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });

    test("types, rows and summary", async () => {
      const fixture = await createCollection(db, { weekCount: 1 });
      const result = await storeWeekResult(db, fixture, 0, [
        "campaign,impressions,spend,clicked,day,filtered\n" +
          "A,10,1.5,true,2024-01-01,false\n" +
          "B,20,2.25,false,2024-01-02,false\n",
        "campaign,impressions,spend,clicked,day,filtered\nA,5,,true,2024-01-03,true\n",
      ]);

      assert.deepEqual(
        result.columns.map((column) => `${column.name}:${column.type}`),
        [
          "campaign:string",
          "impressions:integer",
          "spend:decimal",
          "clicked:boolean",
          "day:date",
          "filtered:boolean",
        ],
      );

      assert.equal(result.rowCount, 3);
      assert.deepEqual(await readRows(db, result.resultSetId), [
        ["A", "10", "1.5", "true", "2024-01-01", "false"],
        ["B", "20", "2.25", "false", "2024-01-02", "false"],
        ["A", "5", null, "true", "2024-01-03", "true"],
      ]);

      assert.deepEqual(result.summary.metrics.impressions, { sum: 35, min: 5, max: 20, count: 3 });
      assert.deepEqual(result.summary.metrics.spend, { sum: 3.75, min: 1.5, max: 2.25, count: 2 });
      const campaignA = await db.prisma.weekMetric.findFirstOrThrow({
        where: {
          resultSetId: result.resultSetId,
          metric: "impressions",
          dimension: "campaign",
          dimensionValue: "A",
        },
      });
      assert.equal(campaignA.sum, 15);
      assert.equal(campaignA.count, 2);

      const week = await db.prisma.week.findUniqueOrThrow({ where: { id: fixture.weeks[0]!.id } });
      assert.equal(week.currentResultId, result.resultSetId);
      assert.equal(week.rowCount, 3);
    });
  });
}
