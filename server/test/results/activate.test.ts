import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import { activateResult } from "../../src/results/activate.ts";
import { ingestResult } from "../../src/results/ingest.ts";
import { queryTrend } from "../../src/results/trend.ts";
import { ResultIngestError } from "../../src/results/types.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import { generateCsvParts } from "./csv-generator.ts";
import { createCollection, createExecution, csvPart, type CollectionFixture } from "./fixtures.ts";

/** What a reader sees of a week in one statement: its current result's rows and their sum. */
interface Observation {
  rows: number;
  impressions: number | null;
}

async function observeWeek(database: Database, weekId: string): Promise<Observation> {
  const [observation] = await database.prisma.$queryRaw<Observation[]>`
    SELECT count(r."rowNumber")::int AS rows,
      sum((r."values"->>2)::numeric)::float8 AS impressions
    FROM "Week" w JOIN "ResultRow" r ON r."resultSetId" = w."currentResultId"
    WHERE w.id = ${weekId}::uuid`;
  return observation!;
}

async function ingestGenerated(
  database: Database,
  fixture: CollectionFixture,
  rowCount: number,
): Promise<string> {
  const week = fixture.weeks[0]!;
  const result = await ingestResult(database, {
    executionId: await createExecution(database, week.id),
    weekId: week.id,
    collectionId: fixture.collectionId,
    parts: generateCsvParts(rowCount, 2),
  });
  return result.resultSetId;
}

for (const backend of backends) {
  describe(`activateResult on ${backend}`, () => {
    let db: Database;
    before(async () => {
      db = await createTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });

    test("retry replaces result atomically", async (t) => {
      const fixture = await createCollection(db, { weekCount: 1 });
      const weekId = fixture.weeks[0]!.id;
      const oldId = await ingestGenerated(db, fixture, 3000);
      await db.prisma.$transaction((tx) => activateResult(tx, weekId, oldId));
      const oldView = await observeWeek(db, weekId);
      assert.equal(oldView.rows, 3000);

      const newId = await ingestGenerated(db, fixture, 5000);
      assert.deepEqual(await observeWeek(db, weekId), oldView, "an inactive result stays hidden");
      const newView = { rows: 5000, impressions: null as number | null };

      const observations: Observation[] = [];
      const trendValues: (number | null)[] = [];
      let swapped = false;
      const reader = (async () => {
        // Read on for a few rounds after the commit, so that the new result is seen too.
        let roundsAfterSwap = 3;
        while (!swapped || roundsAfterSwap-- > 0) {
          observations.push(await observeWeek(db, weekId));
          const trend = await queryTrend(db.prisma, {
            collectionIds: [fixture.collectionId],
            metric: "impressions",
          });
          trendValues.push(trend.series[0]!.points[0]!.value);
        }
      })();
      try {
        await db.prisma.$transaction(async (tx) => {
          await activateResult(tx, weekId, newId);
          // Keep the transaction open a while so that readers run against the uncommitted swap.
          await tx.$executeRaw`SELECT pg_sleep(0.3)`;
        });
      } finally {
        swapped = true;
        await reader;
      }
      const finalView = await observeWeek(db, weekId);
      newView.impressions = finalView.impressions;
      assert.equal(finalView.rows, 5000);

      for (const observation of observations) {
        assert.ok(
          (observation.rows === oldView.rows && observation.impressions === oldView.impressions) ||
            (observation.rows === newView.rows && observation.impressions === newView.impressions),
          `reader saw ${JSON.stringify(observation)}`,
        );
      }
      for (const value of trendValues) {
        assert.ok(
          value === oldView.impressions || value === newView.impressions,
          `trend showed ${value}`,
        );
      }
      const sawOld = observations.filter((observation) => observation.rows === oldView.rows).length;
      t.diagnostic(
        `reader saw the old result ${sawOld} times, the new ${observations.length - sawOld}`,
      );
      assert.ok(observations.length > 0);
      assert.equal(await db.prisma.resultSet.count({ where: { weekId } }), 1);
      assert.equal(await db.prisma.resultRow.count({ where: { resultSetId: oldId } }), 0);
      const week = await db.prisma.week.findUniqueOrThrow({ where: { id: weekId } });
      assert.equal(week.currentResultId, newId);
      assert.equal(week.rowCount, 5000);
    });

    test("incomplete result cannot activate", async () => {
      const fixture = await createCollection(db, { weekCount: 1 });
      const week = fixture.weeks[0]!;
      const executionId = await createExecution(db, week.id);
      const partial = await db.prisma.resultSet.create({ data: { executionId, weekId: week.id } });
      await assert.rejects(
        db.prisma.$transaction((tx) => activateResult(tx, week.id, partial.id)),
        (error: unknown) =>
          error instanceof ResultIngestError && /still being written/.test(error.message),
      );
      const result = await ingestResult(db, {
        executionId,
        weekId: week.id,
        collectionId: fixture.collectionId,
        parts: [csvPart("n\n1\n")],
      });
      assert.equal(await db.prisma.resultSet.count({ where: { id: partial.id } }), 0);
      await db.prisma.$transaction((tx) => activateResult(tx, week.id, result.resultSetId));
      await assert.rejects(
        ingestResult(db, {
          executionId,
          weekId: week.id,
          collectionId: fixture.collectionId,
          parts: [csvPart("n\n2\n")],
        }),
        /already has the current result/,
      );
    });

    test("result of other week rejected", async () => {
      const fixture = await createCollection(db, { weekCount: 2 });
      const resultSetId = await ingestGenerated(db, fixture, 10);
      await assert.rejects(
        db.prisma.$transaction((tx) => activateResult(tx, fixture.weeks[1]!.id, resultSetId)),
        /not found for week/,
      );
    });
  });
}
