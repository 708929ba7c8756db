import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import { retryWeek } from "../../src/domain/week-actions.ts";
import type { Sandbox } from "../../src/sandbox/index.ts";
import { backends } from "../support/database.ts";
import {
  createSandboxCollections,
  createSchedulerTestDatabase,
  startTestSandbox,
  startTestScheduler,
  waitForWeekStatus,
  waitUntil,
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
  describe(`scheduler retries on ${backend}`, () => {
    let db: Database;
    before(async () => {
      db = await createSchedulerTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });

    test("failed attempt retried with backoff", async () => {
      const instanceId = `amcflaky${backend}`;
      sandbox.faults.set([
        { kind: "failExecution", reason: "Internal error", times: 1, instanceId },
      ]);
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 1,
        weeksPerCollection: 1,
        amcInstanceIds: [instanceId],
      });
      const scheduler = await startTestScheduler(db);
      try {
        await waitUntil("week SUCCESS", async () => {
          const week = await db.prisma.week.findFirstOrThrow({
            where: { collectionId: fixture.collectionIds[0] },
          });
          return week.status === "SUCCESS";
        });
      } finally {
        await scheduler.stop();
        sandbox.faults.clear();
      }
      const week = await db.prisma.week.findFirstOrThrow({
        where: { collectionId: fixture.collectionIds[0] },
        include: { executions: { orderBy: { attempt: "asc" } } },
      });
      assert.equal(week.attempts, 2);
      assert.deepEqual(
        week.executions.map((execution) => execution.status),
        ["FAILED", "SUCCEEDED"],
      );
      const retries = await db.prisma.executionEvent.count({
        where: { executionId: week.executions[0]!.id, kind: "RETRY" },
      });
      assert.equal(retries, 1);
    });

    test("manual retry restores retry budget", async () => {
      const instanceId = `amcbudget${backend}`;
      sandbox.faults.set([
        { kind: "failExecution", reason: "Internal error", times: 2, instanceId },
      ]);
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 1,
        weeksPerCollection: 1,
        amcInstanceIds: [instanceId],
      });
      const collectionId = fixture.collectionIds[0]!;
      const scheduler = await startTestScheduler(db, { maxAttempts: 2 });
      try {
        await waitUntil("week FAILED after its budget", async () => {
          const week = await db.prisma.week.findFirstOrThrow({ where: { collectionId } });
          return week.status === "FAILED";
        });
        const failed = await db.prisma.week.findFirstOrThrow({ where: { collectionId } });
        assert.equal(failed.attempts, 2);

        // After the manual retry the first attempt fails again; the budget allows one more.
        sandbox.faults.set([
          { kind: "failExecution", reason: "Internal error", times: 1, instanceId },
        ]);
        await retryWeek(db.prisma, failed.id);
        await waitUntil("week SUCCESS", async () => {
          const week = await db.prisma.week.findUniqueOrThrow({ where: { id: failed.id } });
          return week.status === "SUCCESS" || week.status === "FAILED";
        });
      } finally {
        await scheduler.stop();
        sandbox.faults.clear();
      }
      const week = await db.prisma.week.findFirstOrThrow({
        where: { collectionId },
        include: { executions: { orderBy: { attempt: "asc" } } },
      });
      assert.equal(week.status, "SUCCESS");
      assert.equal(week.attempts, 4);
      assert.equal(week.retriedAtAttempt, 2);
      assert.deepEqual(
        week.executions.map((execution) => execution.status),
        ["FAILED", "FAILED", "FAILED", "SUCCEEDED"],
      );
    });

    test("concurrent retryWeek creates one attempt", async () => {
      const instanceId = `amcbroken${backend}`;
      sandbox.faults.set([
        {
          kind: "rejectExecution",
          reason: "Query refers to a missing table",
          times: 1,
          instanceId,
        },
      ]);
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 1,
        weeksPerCollection: 1,
        amcInstanceIds: [instanceId],
      });
      const collectionId = fixture.collectionIds[0]!;
      const scheduler = await startTestScheduler(db);
      try {
        await waitUntil("week FAILED", async () => {
          const week = await db.prisma.week.findFirstOrThrow({ where: { collectionId } });
          return week.status === "FAILED";
        });
        const week = await db.prisma.week.findFirstOrThrow({ where: { collectionId } });
        assert.equal(week.attempts, 1);
        assert.match(week.errorMessage ?? "", /missing table/);

        const results = await Promise.allSettled(
          Array.from({ length: 5 }, () => retryWeek(db.prisma, week.id)),
        );
        assert.equal(results.filter((result) => result.status === "fulfilled").length, 1);

        await waitForWeekStatus(db, week.id, "SUCCESS");
      } finally {
        await scheduler.stop();
        sandbox.faults.clear();
      }
      const executions = await db.prisma.execution.findMany({
        where: { week: { collectionId } },
        orderBy: { attempt: "asc" },
      });
      assert.deepEqual(
        executions.map((execution) => [execution.attempt, execution.status]),
        [
          [1, "REJECTED"],
          [2, "SUCCEEDED"],
        ],
      );
      assert.equal(sandbox.stats().executionsCreated[instanceId], 2);
    });
  });
}
