import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import type { Sandbox } from "../../src/sandbox/index.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import {
  createSandboxCollections,
  startTestSandbox,
  startTestScheduler,
  waitUntil,
  weekStatusCounts,
} from "../support/scheduler-harness.ts";

// One sandbox for both backends: its query engine takes seconds to start.
let sandbox: Sandbox;
before(async () => {
  sandbox = await startTestSandbox(50);
});
after(async () => {
  await sandbox?.stop();
});

for (const backend of backends) {
  describe(`scheduler run on ${backend}`, () => {
    let db: Database;
    before(async () => {
      db = await createTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });

    test("weeks run to success once", async () => {
      sandbox.resetStats();
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 2,
        weeksPerCollection: 4,
      });
      const scheduler = await startTestScheduler(db);
      try {
        await waitUntil(
          "every week SUCCESS",
          async () => (await weekStatusCounts(db)).SUCCESS === 8,
        );
      } finally {
        await scheduler.stop();
      }
      const stats = sandbox.stats();
      assert.equal(stats.executionsCreated["amcfixture0"], 8);
      const collections = await db.prisma.collection.findMany({
        where: { id: { in: fixture.collectionIds } },
      });
      assert.ok(collections.every((collection) => collection.status === "COMPLETED"));
      const weeks = await db.prisma.week.findMany({ include: { executions: true } });
      for (const week of weeks) {
        assert.equal(week.executions.length, 1);
        assert.equal(week.executions[0]!.status, "SUCCEEDED");
        assert.ok(week.currentResultId);
        assert.equal(week.leaseOwner, null);
      }
      const kinds = await db.prisma.executionEvent.groupBy({ by: ["kind"], _count: true });
      const byKind = Object.fromEntries(kinds.map((kind) => [kind.kind, kind._count]));
      assert.equal(byKind.SUBMITTED, 8);
      assert.equal(byKind.RESULT, 8);
      const statusEvents = await db.prisma.executionEvent.findMany({ where: { kind: "STATUS" } });
      const toSucceeded = statusEvents.filter(
        (event) => (event.data as { to?: string } | null)?.to === "SUCCEEDED",
      );
      assert.equal(toSucceeded.length, 8);
    });

    test("finish replaces a leftover result set", async () => {
      const instanceId = `amcleftover${backend}`;
      sandbox.faults.set([{ kind: "slow", delayMs: 1500, endpoints: ["download"], instanceId }]);
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 1,
        weeksPerCollection: 1,
        amcInstanceIds: [instanceId],
      });
      const collectionId = fixture.collectionIds[0]!;

      const scheduler = await startTestScheduler(db);
      let leftoverId: string;
      try {
        // While the download hangs, plant what a crash mid-ingest of the same execution leaves.
        await waitUntil("execution at AMC", async () => {
          const count = await db.prisma.execution.count({
            where: { week: { collectionId }, amcExecutionId: { not: null } },
          });
          return count === 1;
        });
        const execution = await db.prisma.execution.findFirstOrThrow({
          where: { week: { collectionId } },
        });
        const leftover = await db.prisma.resultSet.create({
          data: {
            executionId: execution.id,
            weekId: execution.weekId,
            rows: { create: [{ rowNumber: 1, values: ["stale"] }] },
          },
        });
        leftoverId = leftover.id;

        await waitUntil("week SUCCESS", async () => {
          const week = await db.prisma.week.findFirstOrThrow({ where: { collectionId } });
          return week.status === "SUCCESS";
        });
      } finally {
        await scheduler.stop();
        sandbox.faults.clear();
      }

      const week = await db.prisma.week.findFirstOrThrow({
        where: { collectionId },
        include: { currentResult: { include: { rows: true } } },
      });
      assert.ok(week.currentResult);
      assert.notEqual(week.currentResult.id, leftoverId);
      assert.ok(week.currentResult.completedAt);
      assert.equal(week.currentResult.rows.length, week.rowCount);
      assert.ok(week.currentResult.rows.every((row) => JSON.stringify(row.values) !== '["stale"]'));
      assert.equal(await db.prisma.resultSet.count({ where: { id: leftoverId } }), 0);
    });
  });
}
