import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createAmcClient } from "../../src/amc/client.ts";
import { AmcApiError, type AmcAccountConnection } from "../../src/amc/types.ts";
import type { Database } from "../../src/db/database.ts";
import { deleteCollection } from "../../src/domain/collections.ts";
import type { Sandbox } from "../../src/sandbox/index.ts";
import { savedWorkflowId } from "../../src/scheduler/submit.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import {
  createSandboxCollections,
  startTestSandbox,
  startTestScheduler,
  sandboxCredentials,
  testLogger,
  waitForWeekStatus,
  waitUntil,
  weekStatusCounts,
} from "../support/scheduler-harness.ts";

// One sandbox for both backends: its query engine takes seconds to start.
let sandbox: Sandbox;
let account: AmcAccountConnection;
const amc = createAmcClient({
  logger: testLogger,
  requestTimeoutMs: 10_000,
  requestsPerSecond: 100,
});
before(async () => {
  sandbox = await startTestSandbox(50);
  account = {
    accountId: "run-test-account",
    apiBaseUrl: sandbox.url,
    tokenUrl: sandbox.tokenUrl,
    entityId: "ENTITY1TEST",
    marketplaceId: "ATVPDKIKX0DER",
    ...sandboxCredentials,
  };
});

/** Returns true when the sandbox still has the saved workflow. */
async function workflowExists(amcInstanceId: string, workflowId: string): Promise<boolean> {
  try {
    await amc.getWorkflow(account, amcInstanceId, workflowId);
    return true;
  } catch (error) {
    if (error instanceof AmcApiError && error.httpStatus === 404) return false;
    throw error;
  }
}
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

    test("finished collection's workflows are deleted", async () => {
      const amcInstanceId = `amccleanup${backend}`;
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 1,
        weeksPerCollection: 3,
        amcInstanceIds: [amcInstanceId],
      });
      const collectionId = fixture.collectionIds[0]!;
      const weeks = await db.prisma.week.findMany({ where: { collectionId } });
      const scheduler = await startTestScheduler(db);
      try {
        await waitUntil("every saved workflow deleted", async () => {
          const left = await db.prisma.execution.count({
            where: { week: { collectionId }, amcWorkflowDeletedAt: null },
          });
          const done = await db.prisma.execution.count({ where: { week: { collectionId } } });
          return done === 3 && left === 0;
        });
      } finally {
        await scheduler.stop();
      }
      const collection = await db.prisma.collection.findUniqueOrThrow({
        where: { id: collectionId },
      });
      assert.equal(collection.status, "COMPLETED");
      for (const week of weeks) {
        assert.equal(await workflowExists(amcInstanceId, savedWorkflowId(week.id)), false);
      }
      const events = await db.prisma.executionEvent.count({
        where: { kind: "WORKFLOW_DELETED", execution: { week: { collectionId } } },
      });
      assert.equal(events, 3);
    });

    test("deleted collection's workflows are deleted", async () => {
      const amcInstanceId = `amcdeleted${backend}`;
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 1,
        weeksPerCollection: 2,
        amcInstanceIds: [amcInstanceId],
      });
      const collectionId = fixture.collectionIds[0]!;
      const weeks = await db.prisma.week.findMany({ where: { collectionId } });
      // Sweeps run at a scheduler's start and then once a minute, so these weeks finish with
      // their workflows still at AMC.
      const first = await startTestScheduler(db, { tickIntervalMs: 60_000 });
      try {
        await waitUntil("both weeks SUCCESS", async () => {
          const done = await db.prisma.week.count({ where: { collectionId, status: "SUCCESS" } });
          return done === 2;
        });
      } finally {
        await first.stop();
      }
      for (const week of weeks) {
        assert.equal(await workflowExists(amcInstanceId, savedWorkflowId(week.id)), true);
      }

      await deleteCollection(db.prisma, collectionId);
      assert.equal(await db.prisma.amcWorkflowDeletion.count(), 2);
      const second = await startTestScheduler(db);
      try {
        await waitUntil(
          "pending deletions done",
          async () => (await db.prisma.amcWorkflowDeletion.count()) === 0,
        );
      } finally {
        await second.stop();
      }
      for (const week of weeks) {
        assert.equal(await workflowExists(amcInstanceId, savedWorkflowId(week.id)), false);
      }
    });

    test("submit recreates a workflow deleted meanwhile", async () => {
      const amcInstanceId = `amcrecreate${backend}`;
      sandbox.faults.set([
        { kind: "slow", delayMs: 1000, endpoints: ["createExecution"], instanceId: amcInstanceId },
      ]);
      const fixture = await createSandboxCollections(db, sandbox.url, {
        collections: 1,
        weeksPerCollection: 1,
        amcInstanceIds: [amcInstanceId],
      });
      const collectionId = fixture.collectionIds[0]!;
      const week = await db.prisma.week.findFirstOrThrow({ where: { collectionId } });

      const createsBefore = sandbox.stats().requests.createExecution ?? 0;
      const scheduler = await startTestScheduler(db);
      try {
        // The create call waits in the sandbox while the workflow goes, as when the cleanup
        // sweep deletes it just as a manual retry starts the week again.
        await waitUntil(
          "a create call in flight",
          async () => (sandbox.stats().requests.createExecution ?? 0) > createsBefore,
        );
        await amc.deleteWorkflow(account, amcInstanceId, savedWorkflowId(week.id));
        sandbox.faults.clear();
        await waitForWeekStatus(db, week.id, "SUCCESS");
      } finally {
        await scheduler.stop();
        sandbox.faults.clear();
      }

      assert.equal(sandbox.stats().executionsCreated[amcInstanceId], 1);
      const executions = await db.prisma.execution.findMany({ where: { weekId: week.id } });
      assert.equal(executions.length, 1);
      const retries = await db.prisma.executionEvent.findMany({
        where: { executionId: executions[0]!.id, kind: "RETRY" },
      });
      assert.equal(retries.length, 1);
      assert.match(retries[0]!.message, /creating it again/);
    });
  });
}
