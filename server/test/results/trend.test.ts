import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import { listColumns } from "../../src/results/columns.ts";
import { compareMetric } from "../../src/results/compare.ts";
import { queryTrend } from "../../src/results/trend.ts";
import { ResultQueryError } from "../../src/results/types.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import { createCollection, storeWeekResult, type CollectionFixture } from "./fixtures.ts";

// A known dataset over four weeks:
//   week 0: campaigns A, B, C, A with impressions 10, 20, 30, 40 and spend 1..4
//   week 1: no result (a gap)
//   week 2: campaigns A, B with impressions 5, 15 and no spend column
//   week 3: a header-only result (AMC's thresholds dropped every row)

for (const backend of backends) {
  describe(`trend queries on ${backend}`, () => {
    let db: Database;
    let main: CollectionFixture;
    let sibling: CollectionFixture;

    before(async () => {
      db = await createTestDatabase(backend);
      main = await createCollection(db, { weekCount: 4 });
      await storeWeekResult(db, main, 0, [
        "campaign,impressions,spend\nA,10,1.00\nB,20,2.00\nC,30,3.00\nA,40,4.00\n",
      ]);
      await storeWeekResult(db, main, 2, ["campaign,impressions\nA,5\nB,15\n"]);
      await storeWeekResult(db, main, 3, ["campaign,impressions,spend\n"]);
      await db.prisma.week.update({ where: { id: main.weeks[2]!.id }, data: { partial: true } });
      sibling = await createCollection(db, { weekCount: 2, workflowId: main.workflowId });
      await storeWeekResult(db, sibling, 0, ["campaign,impressions,spend\nA,1,0.50\n"]);
    });
    after(async () => {
      await db?.close();
    });

    const values = (series: { points: { value: number | null }[] }) =>
      series.points.map((point) => point.value);

    test("columns across weeks", async () => {
      const columns = await listColumns(db.prisma, [main.collectionId]);
      assert.deepEqual(columns, [
        { name: "campaign", type: "string", weekCount: 3, isDimension: true, isMetric: false },
        { name: "impressions", type: "integer", weekCount: 3, isDimension: false, isMetric: true },
        { name: "spend", type: "decimal", weekCount: 2, isDimension: false, isMetric: true },
      ]);
    });

    test("trend with gaps and empty week", async () => {
      const trend = await queryTrend(db.prisma, {
        collectionIds: [main.collectionId],
        metric: "impressions",
      });
      assert.equal(trend.series.length, 1);
      const [series] = trend.series;
      assert.deepEqual(values(series!), [100, null, 20, 0]);
      assert.equal(series!.total, 120);
      assert.deepEqual(
        series!.points.map((point) => point.weekStart),
        ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"],
      );
      assert.deepEqual(
        series!.points.map((point) => point.isoWeek),
        ["2024-W01", "2024-W02", "2024-W03", "2024-W04"],
      );
      assert.deepEqual(
        series!.points.map((point) => point.status),
        ["SUCCESS", "PENDING", "SUCCESS", "SUCCESS"],
      );
      assert.deepEqual(
        series!.points.map((point) => point.partial),
        [false, false, true, false],
      );
    });

    test("trend aggregates", async () => {
      const expected = {
        AVG: [25, null, 10, null],
        MIN: [10, null, 5, null],
        MAX: [40, null, 15, null],
        COUNT: [4, null, 2, 0],
      } as const;
      for (const [aggregate, points] of Object.entries(expected)) {
        const trend = await queryTrend(db.prisma, {
          collectionIds: [main.collectionId],
          metric: "impressions",
          aggregate: aggregate as keyof typeof expected,
        });
        assert.deepEqual(values(trend.series[0]!), points, aggregate);
      }
    });

    test("trend of column missing some weeks", async () => {
      const trend = await queryTrend(db.prisma, {
        collectionIds: [main.collectionId],
        metric: "spend",
      });
      assert.deepEqual(values(trend.series[0]!), [10, null, null, 0]);
    });

    test("trend grouped with other", async () => {
      const trend = await queryTrend(db.prisma, {
        collectionIds: [main.collectionId],
        metric: "impressions",
        groupBy: "campaign",
        top: 1,
      });
      assert.deepEqual(
        trend.series.map((series) => [series.key, series.isOther, series.total]),
        [
          ["A", false, 55],
          [null, true, 65],
        ],
      );
      assert.deepEqual(values(trend.series[0]!), [50, null, 5, 0]);
      assert.deepEqual(values(trend.series[1]!), [50, null, 15, 0]);
    });

    test("trend grouped without other", async () => {
      const trend = await queryTrend(db.prisma, {
        collectionIds: [main.collectionId],
        metric: "impressions",
        groupBy: "campaign",
      });
      assert.deepEqual(
        trend.series.map((series) => series.key),
        ["A", "B", "C"],
      );
      assert.equal(
        trend.series.some((series) => series.isOther),
        false,
      );
      assert.deepEqual(values(trend.series[2]!), [30, null, 0, 0]);
    });

    test("trend filtered on dimension", async () => {
      const trend = await queryTrend(db.prisma, {
        collectionIds: [main.collectionId],
        metric: "impressions",
        filter: { dimension: "campaign", values: ["B", "C"] },
      });
      assert.deepEqual(values(trend.series[0]!), [50, null, 15, 0]);
    });

    test("trend over date range", async () => {
      const trend = await queryTrend(db.prisma, {
        collectionIds: [main.collectionId],
        metric: "impressions",
        from: "2024-01-08",
        to: "2024-01-15",
      });
      assert.deepEqual(values(trend.series[0]!), [null, 20]);
    });

    test("trend over sibling collections", async () => {
      const trend = await queryTrend(db.prisma, {
        collectionIds: [main.collectionId, sibling.collectionId],
        metric: "impressions",
      });
      assert.deepEqual(values(trend.series[0]!), [101, null, 20, 0]);
      const columns = await listColumns(db.prisma, [main.collectionId, sibling.collectionId]);
      assert.equal(columns.find((column) => column.name === "spend")?.weekCount, 3);
    });

    test("trend matches weeks by ISO week", async () => {
      const midWeek = await createCollection(db, {
        weekCount: 1,
        firstDay: "2024-01-03",
        workflowId: main.workflowId,
      });
      await storeWeekResult(db, midWeek, 0, ["campaign,impressions\nD,7\n"]);
      const trend = await queryTrend(db.prisma, {
        collectionIds: [midWeek.collectionId, main.collectionId],
        metric: "impressions",
      });
      const [first] = trend.series[0]!.points;
      assert.equal(trend.series[0]!.points.length, 4);
      assert.equal(first!.weekStart, "2024-01-01");
      assert.equal(first!.isoWeek, "2024-W01");
      assert.equal(first!.value, 107);
      assert.equal(first!.partial, true);
    });

    test("non-numeric week is a gap", async () => {
      const mixed = await createCollection(db, { weekCount: 3 });
      await storeWeekResult(db, mixed, 0, ["n\n10\n"]);
      await storeWeekResult(db, mixed, 1, ["n\n5\nn/a\n"]);
      await storeWeekResult(db, mixed, 2, ["n\n2.5\n"]);
      const [column] = await listColumns(db.prisma, [mixed.collectionId]);
      assert.equal(column!.type, "string");
      assert.equal(column!.isMetric, true);
      const trend = await queryTrend(db.prisma, {
        collectionIds: [mixed.collectionId],
        metric: "n",
      });
      assert.deepEqual(values(trend.series[0]!), [10, null, 2.5]);
    });

    test("trend rejects other workflow", async () => {
      const other = await createCollection(db, { weekCount: 1 });
      await assert.rejects(
        queryTrend(db.prisma, {
          collectionIds: [main.collectionId, other.collectionId],
          metric: "impressions",
        }),
        /different workflows/,
      );
    });

    test("unknown metric names columns", async () => {
      const error = await queryTrend(db.prisma, {
        collectionIds: [main.collectionId],
        metric: "clicks",
      }).catch((caught: unknown) => caught);
      assert.ok(error instanceof ResultQueryError);
      assert.match(error.message, /Unknown metric "clicks"/);
      assert.match(
        error.message,
        /campaign \(string\), impressions \(integer\), spend \(decimal\)/,
      );
      assert.deepEqual(error.availableColumns, ["campaign", "impressions", "spend"]);
    });

    test("text metric and bad dimension", async () => {
      await assert.rejects(
        queryTrend(db.prisma, { collectionIds: [main.collectionId], metric: "campaign" }),
        /no numeric values in any week and cannot be aggregated.*impressions \(integer\)/,
      );
      await assert.rejects(
        queryTrend(db.prisma, {
          collectionIds: [main.collectionId],
          metric: "impressions",
          groupBy: "spend",
        }),
        /Dimension columns: campaign \(string\)/,
      );
    });

    test("compare two periods", async () => {
      const comparison = await compareMetric(db.prisma, {
        collectionIds: [main.collectionId],
        metric: "impressions",
        periodA: { from: "2024-01-01", to: "2024-01-08" },
        periodB: { from: "2024-01-15", to: "2024-01-22" },
      });
      assert.equal(comparison.periodA.value, 100);
      assert.equal(comparison.periodA.weekCount, 2);
      assert.equal(comparison.periodA.weeksWithResult, 1);
      assert.equal(comparison.periodB.value, 20);
      assert.equal(comparison.periodB.weeksWithResult, 2);
      assert.equal(comparison.absoluteChange, -80);
      assert.equal(comparison.percentChange, -80);
    });

    test("compare with empty period", async () => {
      const comparison = await compareMetric(db.prisma, {
        collectionIds: [main.collectionId],
        metric: "impressions",
        aggregate: "AVG",
        periodA: { from: "2024-01-08", to: "2024-01-08" },
        periodB: { from: "2024-01-01", to: "2024-01-15" },
      });
      assert.equal(comparison.periodA.value, null);
      assert.equal(comparison.periodB.value, 120 / 6);
      assert.equal(comparison.absoluteChange, null);
      assert.equal(comparison.percentChange, null);
    });
  });
}
