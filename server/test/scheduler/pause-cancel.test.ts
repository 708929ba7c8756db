import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import {
  cancelCollection,
  pauseCollection,
  resumeCollection,
} from "../../src/domain/collections.ts";
import type { Sandbox } from "../../src/sandbox/index.ts";
import { backends } from "../support/database.ts";
import {
  createSandboxCollections,
  createSchedulerTestDatabase,
  startTestSandbox,
  startTestScheduler,
  testSettings,
  waitUntil,
  weekStatusCounts,
} from "../support/scheduler-harness.ts";

// One sandbox for both backends: its query engine takes seconds to start.
let sandbox: Sandbox;
before(async () => {
  sandbox = await startTestSandbox(300);
});
after(async () => {
  await sandbox?.stop();
});

function created(instanceId: string): number {
  return sandbox.stats().executionsCreated[instanceId] ?? 0;
}

for (const backend of backends) {
  describe(`scheduler pause and cancel on ${backend}`, () => {
    let db: Database;
    before(async () => {
      db = await createSchedulerTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });

    test("pause stops submissions, resume finishes", async () => {
      sandbox.resetStats();
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 1,
        weeksPerCollection: 25,
        amcInstanceIds: [`amcpause${backend}`],
      });
      const collectionId = fixture.collectionIds[0]!;
      const scheduler = await startTestScheduler(db);
      try {
        await waitUntil(
          "a week SUCCESS",
          async () => ((await weekStatusCounts(db)).SUCCESS ?? 0) > 0,
        );
        await pauseCollection(db.prisma, collectionId);
        const pausedAt = new Date();

        await waitUntil(
          "no week RUNNING",
          async () => (await weekStatusCounts(db)).RUNNING === undefined,
        );
        const createdWhenIdle = created(`amcpause${backend}`);
        const lateSubmits = await db.prisma.execution.count({
          where: { submittedAt: { gt: pausedAt }, week: { collectionId } },
        });
        assert.equal(lateSubmits, 0);
        assert.ok(((await weekStatusCounts(db)).PENDING ?? 0) > 0);
        // Two ticks give the loop its chances to claim; a paused collection must not be claimed.
        scheduler.wake();
        await new Promise((resolve) => setTimeout(resolve, 2 * testSettings.tickIntervalMs));
        assert.equal(created(`amcpause${backend}`), createdWhenIdle);
        assert.equal((await weekStatusCounts(db)).RUNNING, undefined);

        await resumeCollection(db.prisma, collectionId);
        await waitUntil(
          "every week SUCCESS",
          async () => (await weekStatusCounts(db)).SUCCESS === 25,
        );
      } finally {
        await scheduler.stop();
      }
      assert.equal(created(`amcpause${backend}`), 25);
      const collection = await db.prisma.collection.findUniqueOrThrow({
        where: { id: collectionId },
      });
      assert.equal(collection.status, "COMPLETED");
    });

    test("cancel leaves nothing running", async () => {
      sandbox.resetStats();
      sandbox.setExecutionDurationMs(3000);
      const instanceId = `amccancel${backend}`;
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 1,
        weeksPerCollection: 20,
        amcInstanceIds: [instanceId],
      });
      const collectionId = fixture.collectionIds[0]!;
      const scheduler = await startTestScheduler(db);
      try {
        await waitUntil("executions running at AMC", async () => {
          return (sandbox.stats().running[instanceId] ?? 0) >= 5;
        });
        await cancelCollection(db.prisma, collectionId);
        const cancelledAt = new Date();
        await waitUntil("nothing active at AMC or in the database", async () => {
          const active = await db.prisma.execution.count({
            where: {
              status: { in: ["SUBMITTING", "PENDING", "RUNNING", "PUBLISHING"] },
              week: { collectionId },
            },
          });
          const stats = sandbox.stats();
          return active === 0 && (stats.running[instanceId] ?? 0) === 0;
        });
        const lateSubmits = await db.prisma.execution.count({
          where: { submittedAt: { gt: cancelledAt }, week: { collectionId } },
        });
        assert.equal(lateSubmits, 0);
      } finally {
        await scheduler.stop();
        sandbox.setExecutionDurationMs(300);
      }
      const counts = await db.prisma.week.groupBy({
        by: ["status"],
        where: { collectionId },
        _count: true,
      });
      const statuses = counts.map((count) => count.status);
      assert.ok(!statuses.includes("PENDING"));
      assert.ok(!statuses.includes("RUNNING"));
      assert.ok((sandbox.stats().requests.cancelExecution ?? 0) >= 5);
      const cancelledRows = await db.prisma.execution.count({
        where: { status: "CANCELLED", week: { collectionId } },
      });
      assert.ok(cancelledRows >= 5);
      assert.equal(
        created(instanceId),
        await db.prisma.execution.count({
          where: { amcExecutionId: { not: null }, week: { collectionId } },
        }),
      );
    });
  });
}
