import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import {
  cancelCollection,
  createCollection,
  deleteCollection,
  pauseCollection,
  resumeCollection,
} from "../../src/domain/collections.ts";
import { ConflictError, DomainValidationError, NotFoundError } from "../../src/domain/errors.ts";
import { appendRollingWeeks } from "../../src/domain/rolling.ts";
import { settleCollection } from "../../src/domain/settle.ts";
import { IllegalTransitionError } from "../../src/domain/transitions.ts";
import { retryFailedWeeks, retryWeek, skipWeek } from "../../src/domain/week-actions.ts";
import { dbDateToDay } from "../../src/domain/weeks.ts";
import type { WeekStatus } from "../../src/generated/prisma/enums.ts";
import { backends, createTestDatabase } from "../support/database.ts";
import { insertFixtures, testNow, testOptions, validInput } from "./fixtures.ts";

for (const backend of backends) {
  describe(`collections on ${backend}`, () => {
    let db: Database;
    let ids: { instanceId: string; workflowId: string };

    before(async () => {
      db = await createTestDatabase(backend);
      ids = await insertFixtures(db.prisma);
    });
    after(async () => {
      await db?.close();
    });
    beforeEach(async () => {
      await db.prisma.collection.deleteMany();
    });

    /** Creates the standard four-week collection and returns it with its weeks by start date. */
    async function createWithWeeks(overrides = {}) {
      const collection = await createCollection(db.prisma, validInput(ids, overrides), testOptions);
      const weeks = await db.prisma.week.findMany({
        where: { collectionId: collection.id },
        orderBy: { startDate: "asc" },
      });
      return { collection, weeks };
    }

    async function setWeekStatus(weekId: string, status: WeekStatus) {
      await db.prisma.week.update({ where: { id: weekId }, data: { status } });
    }

    async function statusOf(collectionId: string) {
      const collection = await db.prisma.collection.findUniqueOrThrow({
        where: { id: collectionId },
      });
      return collection.status;
    }

    test("createCollection stores weeks and snapshot", async () => {
      const { collection, weeks } = await createWithWeeks();
      assert.equal(collection.status, "ACTIVE");
      assert.equal(collection.workflowVersion, 3);
      assert.match(collection.sqlSnapshot, /\{\{brand\}\}/);
      assert.equal(dbDateToDay(collection.startDate), "2026-11-02");
      assert.equal(dbDateToDay(collection.endDate), "2026-11-29");
      assert.deepEqual(
        weeks.map((week) => [dbDateToDay(week.startDate), week.isoWeek, week.status]),
        [
          ["2026-11-02", "2026-W45", "PENDING"],
          ["2026-11-09", "2026-W46", "PENDING"],
          ["2026-11-16", "2026-W47", "PENDING"],
          ["2026-11-23", "2026-W48", "PENDING"],
        ],
      );
      // Week ending Sunday 11-29: window ends 11-30 00:00 EST (05:00 UTC), ready 48 h later.
      assert.equal(weeks[3]?.dataReadyAt.toISOString(), "2026-12-02T05:00:00.000Z");
      assert.equal(weeks[0]?.nextAttemptAt.toISOString(), testNow.toISOString());
    });

    test("createCollection keeps snapshot after edit", async () => {
      const { collection } = await createWithWeeks();
      await db.prisma.workflow.update({
        where: { id: ids.workflowId },
        data: { sqlTemplate: "SELECT 2", version: 4 },
      });
      const stored = await db.prisma.collection.findUniqueOrThrow({ where: { id: collection.id } });
      assert.match(stored.sqlSnapshot, /sponsored_ads_traffic/);
      assert.equal(stored.workflowVersion, 3);
      await db.prisma.workflow.update({
        where: { id: ids.workflowId },
        data: { sqlTemplate: collection.sqlSnapshot, version: 3 },
      });
    });

    test("createCollection stores nothing on failure", async () => {
      await assert.rejects(
        createCollection(db.prisma, validInput(ids, { endDate: "2027-01-01" }), testOptions),
        DomainValidationError,
      );
      assert.equal(await db.prisma.collection.count(), 0);
      assert.equal(await db.prisma.week.count(), 0);
    });

    test("createCollection rejects unknown workflow", async () => {
      const input = validInput(ids, { workflowId: "not-a-uuid" });
      await assert.rejects(createCollection(db.prisma, input, testOptions), (error: unknown) => {
        assert.ok(error instanceof DomainValidationError);
        assert.deepEqual(error.userErrors[0]?.field, ["input", "workflowId"]);
        return true;
      });
    });

    test("createCollection idempotent with same input", async () => {
      const input = validInput(ids, { idempotencyKey: "key-1" });
      const first = await createCollection(db.prisma, input, testOptions);
      const second = await createCollection(db.prisma, { ...input }, testOptions);
      assert.equal(second.id, first.id);
      assert.equal(await db.prisma.collection.count(), 1);
      assert.equal(await db.prisma.week.count(), 4);
    });

    test("createCollection conflicts on changed input", async () => {
      const input = validInput(ids, { idempotencyKey: "key-2" });
      await createCollection(db.prisma, input, testOptions);
      await assert.rejects(
        createCollection(db.prisma, { ...input, name: "Other" }, testOptions),
        (error: unknown) =>
          error instanceof ConflictError &&
          error.code === "IDEMPOTENCY_KEY_REUSED" &&
          error.message.includes("key-2"),
      );
      assert.equal(await db.prisma.collection.count(), 1);
    });

    test("createCollection concurrent same key", async () => {
      const input = validInput(ids, { idempotencyKey: "key-3" });
      const results = await Promise.all(
        [1, 2, 3].map(() => createCollection(db.prisma, input, testOptions)),
      );
      assert.equal(new Set(results.map((collection) => collection.id)).size, 1);
      assert.equal(await db.prisma.collection.count(), 1);
      assert.equal(await db.prisma.week.count(), 4);
    });

    test("retryWeek concurrent calls reset once", async () => {
      const { collection, weeks } = await createWithWeeks();
      const week = weeks[0]!;
      await db.prisma.week.update({
        where: { id: week.id },
        data: { status: "FAILED", attempts: 3, errorMessage: "boom", version: 5 },
      });
      await db.prisma.collection.update({
        where: { id: collection.id },
        data: { status: "FAILED", finishedAt: testNow },
      });

      const outcomes = await Promise.allSettled([
        retryWeek(db.prisma, week.id, { now: testNow }),
        retryWeek(db.prisma, week.id, { now: testNow }),
      ]);
      const fulfilled = outcomes.filter((outcome) => outcome.status === "fulfilled");
      const rejected = outcomes.filter((outcome) => outcome.status === "rejected");
      assert.equal(fulfilled.length, 1);
      assert.equal(rejected.length, 1);
      assert.ok(rejected[0]?.reason instanceof IllegalTransitionError);

      const stored = await db.prisma.week.findUniqueOrThrow({ where: { id: week.id } });
      assert.equal(stored.status, "PENDING");
      assert.equal(stored.version, 6);
      assert.equal(stored.attempts, 3);
      assert.equal(stored.errorMessage, null);
      assert.equal(dbDateToDay(stored.startDate), "2026-11-02");
      const storedCollection = await db.prisma.collection.findUniqueOrThrow({
        where: { id: collection.id },
      });
      assert.equal(storedCollection.status, "ACTIVE");
      assert.equal(storedCollection.finishedAt, null);
    });

    test("retryWeek success needs force", async () => {
      const { collection, weeks } = await createWithWeeks();
      await setWeekStatus(weeks[0]!.id, "SUCCESS");
      await db.prisma.collection.update({
        where: { id: collection.id },
        data: { status: "COMPLETED" },
      });
      await assert.rejects(retryWeek(db.prisma, weeks[0]!.id), (error: unknown) => {
        assert.ok(error instanceof IllegalTransitionError);
        assert.match(error.message, /force/);
        return true;
      });
      const week = await retryWeek(db.prisma, weeks[0]!.id, { force: true });
      assert.equal(week.status, "PENDING");
      assert.equal(await statusOf(collection.id), "ACTIVE");
    });

    test("retryWeek rejects pending and running", async () => {
      const { weeks } = await createWithWeeks();
      await assert.rejects(retryWeek(db.prisma, weeks[0]!.id), IllegalTransitionError);
      await setWeekStatus(weeks[1]!.id, "RUNNING");
      await assert.rejects(
        retryWeek(db.prisma, weeks[1]!.id, { force: true }),
        IllegalTransitionError,
      );
    });

    test("retryWeek unknown week", async () => {
      await assert.rejects(
        retryWeek(db.prisma, "00000000-0000-4000-8000-000000000000"),
        NotFoundError,
      );
      await assert.rejects(retryWeek(db.prisma, "nope"), NotFoundError);
    });

    test("retryWeek waits for cancelled execution", async () => {
      const { collection, weeks } = await createWithWeeks();
      await db.prisma.execution.create({
        data: {
          weekId: weeks[0]!.id,
          attempt: 1,
          status: "RUNNING",
          sql: "SELECT 1",
          timeWindowStart: "2026-11-02T00:00:00",
          timeWindowEnd: "2026-11-09T00:00:00",
          timeWindowTimeZone: "UTC",
        },
      });
      await cancelCollection(db.prisma, collection.id);
      await assert.rejects(
        retryWeek(db.prisma, weeks[0]!.id),
        (error: unknown) => error instanceof ConflictError && error.code === "EXECUTION_IN_FLIGHT",
      );
      await retryWeek(db.prisma, weeks[1]!.id);
      assert.equal(await statusOf(collection.id), "ACTIVE");
    });

    test("retryFailedWeeks resets only failed", async () => {
      const { collection, weeks } = await createWithWeeks();
      await setWeekStatus(weeks[0]!.id, "FAILED");
      await setWeekStatus(weeks[1]!.id, "FAILED");
      await setWeekStatus(weeks[2]!.id, "SUCCESS");
      await setWeekStatus(weeks[3]!.id, "SUCCESS");
      assert.equal(
        await db.prisma.$transaction((tx) => settleCollection(tx, collection.id)),
        "FAILED",
      );
      assert.equal(await retryFailedWeeks(db.prisma, collection.id), 2);
      const statuses = await db.prisma.week.findMany({
        where: { collectionId: collection.id },
        orderBy: { startDate: "asc" },
      });
      assert.deepEqual(
        statuses.map((week) => week.status),
        ["PENDING", "PENDING", "SUCCESS", "SUCCESS"],
      );
      assert.equal(await statusOf(collection.id), "ACTIVE");
      assert.equal(await retryFailedWeeks(db.prisma, collection.id), 0);
    });

    test("cancelCollection cancels open weeks", async () => {
      const { collection, weeks } = await createWithWeeks();
      await db.prisma.week.update({
        where: { id: weeks[0]!.id },
        data: { status: "RUNNING", leaseOwner: "s1", leaseExpiresAt: testNow },
      });
      await setWeekStatus(weeks[1]!.id, "SUCCESS");
      const execution = await db.prisma.execution.create({
        data: {
          weekId: weeks[0]!.id,
          attempt: 1,
          status: "RUNNING",
          sql: "SELECT 1",
          timeWindowStart: "2026-11-02T00:00:00",
          timeWindowEnd: "2026-11-09T00:00:00",
          timeWindowTimeZone: "UTC",
        },
      });

      const cancelled = await cancelCollection(db.prisma, collection.id);
      assert.equal(cancelled.status, "CANCELLED");
      assert.equal(cancelled.version, collection.version + 1);
      assert.notEqual(cancelled.finishedAt, null);
      const stored = await db.prisma.week.findMany({
        where: { collectionId: collection.id },
        orderBy: { startDate: "asc" },
      });
      assert.deepEqual(
        stored.map((week) => week.status),
        ["CANCELLED", "SUCCESS", "CANCELLED", "CANCELLED"],
      );
      assert.equal(stored[0]?.leaseOwner, null);
      assert.equal(stored[0]?.leaseExpiresAt, null);
      const storedExecution = await db.prisma.execution.findUniqueOrThrow({
        where: { id: execution.id },
      });
      assert.equal(storedExecution.status, "RUNNING");
      await assert.rejects(cancelCollection(db.prisma, collection.id), IllegalTransitionError);
    });

    test("cancel races scheduler finish", async () => {
      // The scheduler finishes a week by locking the collection, then the week, then settling.
      // Cancel takes the same lock order, so the race ends without a deadlock either way.
      for (let round = 0; round < 10; round++) {
        const { collection, weeks } = await createWithWeeks();
        for (const week of weeks) await setWeekStatus(week.id, "RUNNING");
        const finishAll = db.prisma.$transaction(async (tx) => {
          await tx.$queryRawUnsafe(
            `SELECT 1 FROM "Collection" WHERE id = $1::uuid FOR UPDATE`,
            collection.id,
          );
          await tx.week.updateMany({
            where: { collectionId: collection.id, status: "RUNNING" },
            data: { status: "SUCCESS", version: { increment: 1 } },
          });
          return settleCollection(tx, collection.id);
        });
        const [settled, cancelled] = await Promise.allSettled([
          finishAll,
          cancelCollection(db.prisma, collection.id),
        ]);
        assert.equal(settled.status, "fulfilled");
        const status = await statusOf(collection.id);
        if (cancelled.status === "fulfilled") {
          assert.equal(status, "CANCELLED");
        } else {
          assert.ok(cancelled.reason instanceof IllegalTransitionError, String(cancelled.reason));
          assert.equal(status, "COMPLETED");
        }
      }
    });

    test("pause and resume collection", async () => {
      const { collection, weeks } = await createWithWeeks();
      await setWeekStatus(weeks[0]!.id, "RUNNING");
      const paused = await pauseCollection(db.prisma, collection.id);
      assert.equal(paused.status, "PAUSED");
      const running = await db.prisma.week.findUniqueOrThrow({ where: { id: weeks[0]!.id } });
      assert.equal(running.status, "RUNNING");
      await assert.rejects(pauseCollection(db.prisma, collection.id), IllegalTransitionError);
      const resumed = await resumeCollection(db.prisma, collection.id);
      assert.equal(resumed.status, "ACTIVE");
      assert.equal(resumed.version, collection.version + 2);
      await assert.rejects(resumeCollection(db.prisma, collection.id), IllegalTransitionError);
    });

    test("resume settles finished collection", async () => {
      const { collection, weeks } = await createWithWeeks();
      await pauseCollection(db.prisma, collection.id);
      for (const week of weeks) await setWeekStatus(week.id, "SUCCESS");
      const resumed = await resumeCollection(db.prisma, collection.id);
      assert.equal(resumed.status, "COMPLETED");
      assert.notEqual(resumed.finishedAt, null);
    });

    test("resume after cancel requeues weeks", async () => {
      const { collection, weeks } = await createWithWeeks();
      await setWeekStatus(weeks[0]!.id, "SUCCESS");
      await cancelCollection(db.prisma, collection.id);
      const resumed = await resumeCollection(db.prisma, collection.id, { now: testNow });
      assert.equal(resumed.status, "ACTIVE");
      assert.equal(resumed.finishedAt, null);
      const stored = await db.prisma.week.findMany({
        where: { collectionId: collection.id },
        orderBy: { startDate: "asc" },
      });
      assert.deepEqual(
        stored.map((week) => week.status),
        ["SUCCESS", "PENDING", "PENDING", "PENDING"],
      );
      assert.equal(stored[1]?.errorMessage, null);
    });

    const settleCases: [statuses: WeekStatus[], expected: string | null][] = [
      [["SUCCESS", "SUCCESS", "SKIPPED", "SUCCESS"], "COMPLETED"],
      [["SUCCESS", "FAILED", "SUCCESS", "SUCCESS"], "FAILED"],
      [["SUCCESS", "FAILED", "RUNNING", "SUCCESS"], null],
      [["SUCCESS", "PENDING", "SUCCESS", "SUCCESS"], null],
      [["SUCCESS", "CANCELLED", "SUCCESS", "SUCCESS"], "CANCELLED"],
    ];
    for (const [statuses, expected] of settleCases) {
      test(`settleCollection ${statuses.join(",")}`, async () => {
        const { collection, weeks } = await createWithWeeks();
        for (const [index, status] of statuses.entries())
          await setWeekStatus(weeks[index]!.id, status);
        const settled = await db.prisma.$transaction((tx) => settleCollection(tx, collection.id));
        assert.equal(settled, expected);
        assert.equal(await statusOf(collection.id), expected ?? "ACTIVE");
      });
    }

    test("settleCollection leaves paused alone", async () => {
      const { collection, weeks } = await createWithWeeks();
      await pauseCollection(db.prisma, collection.id);
      for (const week of weeks) await setWeekStatus(week.id, "SUCCESS");
      const settled = await db.prisma.$transaction((tx) => settleCollection(tx, collection.id));
      assert.equal(settled, null);
      assert.equal(await statusOf(collection.id), "PAUSED");
    });

    test("skipWeek completes last week", async () => {
      const { collection, weeks } = await createWithWeeks();
      for (const week of weeks.slice(0, 3)) await setWeekStatus(week.id, "SUCCESS");
      const skipped = await skipWeek(db.prisma, weeks[3]!.id);
      assert.equal(skipped.status, "SKIPPED");
      assert.equal(await statusOf(collection.id), "COMPLETED");
      await assert.rejects(skipWeek(db.prisma, weeks[3]!.id), IllegalTransitionError);
    });

    test("deleteCollection cancels in-flight first", async () => {
      const { collection, weeks } = await createWithWeeks();
      await db.prisma.execution.create({
        data: {
          weekId: weeks[0]!.id,
          attempt: 1,
          status: "PENDING",
          amcExecutionId: "amc-exec-1",
          sql: "SELECT 1",
          timeWindowStart: "2026-11-02T00:00:00",
          timeWindowEnd: "2026-11-09T00:00:00",
          timeWindowTimeZone: "UTC",
        },
      });
      const seen: string[] = [];
      await deleteCollection(db.prisma, collection.id, {
        cancelInFlight: async (executions) => {
          seen.push(...executions.map((execution) => execution.amcExecutionId ?? ""));
          assert.equal(await statusOf(collection.id), "CANCELLED");
        },
      });
      assert.deepEqual(seen, ["amc-exec-1"]);
      assert.equal(await db.prisma.collection.count(), 0);
      assert.equal(await db.prisma.execution.count(), 0);
      await assert.rejects(deleteCollection(db.prisma, collection.id), NotFoundError);
    });

    test("appendRollingWeeks adds finished weeks", async () => {
      const { collection, weeks } = await createWithWeeks({
        mode: "ROLLING",
        endDate: null,
        startDate: "2026-11-16",
      });
      assert.equal(weeks.length, 2);
      assert.equal(await appendRollingWeeks(db.prisma, testNow), 0);

      // Two weeks later, on Wednesday 2026-12-16, the weeks ending 12-06 and 12-13 have finished.
      const later = new Date("2026-12-16T12:00:00Z");
      assert.equal(await appendRollingWeeks(db.prisma, later), 2);
      assert.equal(await appendRollingWeeks(db.prisma, later), 0);
      const stored = await db.prisma.collection.findUniqueOrThrow({
        where: { id: collection.id },
        include: { weeks: { orderBy: { startDate: "asc" } } },
      });
      assert.equal(dbDateToDay(stored.endDate), "2026-12-13");
      assert.deepEqual(
        stored.weeks.map((week) => week.isoWeek),
        ["2026-W47", "2026-W48", "2026-W49", "2026-W50"],
      );
      assert.equal(stored.weeks[3]?.dataReadyAt.toISOString(), "2026-12-16T05:00:00.000Z");
    });

    test("appendRollingWeeks skips cancelled", async () => {
      const { collection } = await createWithWeeks({
        mode: "ROLLING",
        endDate: null,
        startDate: "2026-11-16",
      });
      await cancelCollection(db.prisma, collection.id);
      assert.equal(await appendRollingWeeks(db.prisma, new Date("2026-12-16T12:00:00Z")), 0);
    });

    test("rolling collection never completes", async () => {
      const { collection, weeks } = await createWithWeeks({
        mode: "ROLLING",
        endDate: null,
        startDate: "2026-11-16",
      });
      for (const week of weeks) await setWeekStatus(week.id, "SUCCESS");
      const settled = await db.prisma.$transaction((tx) => settleCollection(tx, collection.id));
      assert.equal(settled, null);
      assert.equal(await statusOf(collection.id), "ACTIVE");
    });
  });
}
