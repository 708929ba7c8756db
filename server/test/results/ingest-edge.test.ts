import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import { ingestResult } from "../../src/results/ingest.ts";
import { purgeResultRows } from "../../src/results/retention.ts";
import { queryTrend } from "../../src/results/trend.ts";
import { ResultIngestError } from "../../src/results/types.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import {
  createCollection,
  createExecution,
  csvPart,
  storeWeekResult,
  type CollectionFixture,
} from "./fixtures.ts";

async function storedRows(database: Database, resultSetId: string): Promise<unknown[]> {
  const rows = await database.prisma.resultRow.findMany({
    where: { resultSetId },
    orderBy: { rowNumber: "asc" },
  });
  return rows.map((row) => row.values);
}

for (const backend of backends) {
  describe(`ingestResult edge cases on ${backend}`, () => {
    let db: Database;
    let fixture: CollectionFixture;
    before(async () => {
      db = await createTestDatabase(backend);
      fixture = await createCollection(db, { weekCount: 8 });
    });
    after(async () => {
      await db?.close();
    });

    test("empty part gives empty result", async () => {
      const result = await storeWeekResult(db, fixture, 0, [""]);
      assert.equal(result.rowCount, 0);
      assert.deepEqual(result.columns, []);
      const metrics = await db.prisma.weekMetric.count({
        where: { resultSetId: result.resultSetId },
      });
      assert.equal(metrics, 0);
    });

    test("header-only CSV keeps columns", async () => {
      const result = await storeWeekResult(db, fixture, 1, ["campaign,impressions,filtered\n"]);
      assert.equal(result.rowCount, 0);
      assert.deepEqual(result.columns, [
        { name: "campaign", type: "string", valueCount: 0 },
        { name: "impressions", type: "string", valueCount: 0 },
        { name: "filtered", type: "string", valueCount: 0 },
      ]);
      const week = await db.prisma.week.findUniqueOrThrow({ where: { id: fixture.weeks[1]!.id } });
      assert.equal(week.rowCount, 0);
      assert.equal((week.summary as { rowCount: number }).rowCount, 0);
    });

    test("quoted commas, quotes and newlines", async () => {
      const csv =
        'name,note,value\n"Smith, John","said ""hi""\nthen left",1\r\n"plain",,2\n"x","a\r\nb",3\n';
      const result = await storeWeekResult(db, fixture, 2, [csv]);
      assert.equal(result.rowCount, 3);
      assert.deepEqual(await storedRows(db, result.resultSetId), [
        ["Smith, John", 'said "hi"\nthen left', "1"],
        ["plain", null, "2"],
        ["x", "a\r\nb", "3"],
      ]);
      assert.deepEqual(result.summary.metrics.value, { sum: 6, min: 1, max: 3, count: 3 });
    });

    test("non-numeric value demotes column", async () => {
      const result = await storeWeekResult(db, fixture, 3, [
        "campaign,impressions,zip,ratio,backslash\n" +
          "A,10,02134,0.5,a\\b\n" +
          "B,n/a,10001,1e3,c\n" +
          "C,30,90210,-2,d\n",
      ]);
      const types = Object.fromEntries(result.columns.map((column) => [column.name, column.type]));
      assert.deepEqual(types, {
        campaign: "string",
        impressions: "string",
        zip: "string",
        ratio: "decimal",
        backslash: "string",
      });
      assert.deepEqual(Object.keys(result.summary.metrics), ["ratio"]);
      assert.deepEqual(result.summary.metrics.ratio, { sum: 998.5, min: -2, max: 1000, count: 3 });
      const rows = await storedRows(db, result.resultSetId);
      assert.deepEqual(rows[0], ["A", "10", "02134", "0.5", "a\\b"]);
    });

    test("column only in later part", async () => {
      const result = await storeWeekResult(db, fixture, 4, [
        "campaign,impressions\nA,1\n",
        "clicks,campaign,impressions\n7,B,2\n",
      ]);
      assert.deepEqual(
        result.columns.map((column) => column.name),
        ["campaign", "impressions", "clicks"],
      );
      assert.deepEqual(await storedRows(db, result.resultSetId), [
        ["A", "1"],
        ["B", "2", "7"],
      ]);
      assert.deepEqual(result.summary.metrics.clicks, { sum: 7, min: 7, max: 7, count: 1 });
    });

    test("many values drop dimension", async () => {
      const week = fixture.weeks[5]!;
      const executionId = await createExecution(db, week.id);
      const result = await ingestResult(db, {
        executionId,
        weekId: week.id,
        collectionId: fixture.collectionId,
        maxDimensionValues: 3,
        parts: [csvPart("campaign,type,n\nA,x,1\nB,x,2\nC,y,3\nD,y,4\n")],
      });
      assert.deepEqual(result.summary.dimensions, [{ name: "type", distinctValues: 2 }]);
      const dimensions = await db.prisma.weekMetric.findMany({
        where: { resultSetId: result.resultSetId },
        distinct: ["dimension"],
        select: { dimension: true },
        orderBy: { dimension: "asc" },
      });
      assert.deepEqual(
        dimensions.map((row) => row.dimension),
        ["", "type"],
      );
    });

    test("invalid CSV raises and retry replaces", async () => {
      const week = fixture.weeks[6]!;
      const executionId = await createExecution(db, week.id);
      const request = { executionId, weekId: week.id, collectionId: fixture.collectionId };
      await assert.rejects(
        ingestResult(db, { ...request, parts: [csvPart("a,b\n1,2\n3,4,5\n")] }),
        (error: unknown) =>
          error instanceof ResultIngestError &&
          /Part 1 of the result is not valid CSV/.test(error.message),
      );
      const leftover = await db.prisma.resultSet.findUniqueOrThrow({ where: { executionId } });
      assert.equal(leftover.completedAt, null);

      const result = await ingestResult(db, { ...request, parts: [csvPart("a,b\n1,2\n3,4\n")] });
      assert.notEqual(result.resultSetId, leftover.id);
      assert.equal(await db.prisma.resultSet.count({ where: { weekId: week.id } }), 1);
      assert.equal(
        await db.prisma.resultRow.count({ where: { resultSetId: result.resultSetId } }),
        2,
      );
    });

    test("retention purges rows keeps summary", async () => {
      const purgeFixture = await createCollection(db, { weekCount: 1 });
      const result = await storeWeekResult(db, purgeFixture, 0, ["campaign,n\nA,1\nB,2\n"]);
      const report = await purgeResultRows(db.prisma, new Date(Date.now() + 1000));
      assert.ok(report.rows >= 2);
      assert.equal(
        await db.prisma.resultRow.count({ where: { resultSetId: result.resultSetId } }),
        0,
      );
      const resultSet = await db.prisma.resultSet.findUniqueOrThrow({
        where: { id: result.resultSetId },
      });
      assert.notEqual(resultSet.rowsPurgedAt, null);
      const trend = await queryTrend(db.prisma, {
        collectionIds: [purgeFixture.collectionId],
        metric: "n",
      });
      assert.deepEqual(
        trend.series[0]!.points.map((point) => point.value),
        [3],
      );
      const again = await purgeResultRows(db.prisma, new Date(Date.now() + 1000));
      assert.equal(again.resultSets, 0);
    });
  });
}
