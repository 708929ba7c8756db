import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import { backends, createTestDatabase } from "../support/database.ts";

// Rules the database itself enforces, so that no code path can store an impossible state.

for (const backend of backends) {
  describe(`constraints on ${backend}`, () => {
    let db: Database;
    let collectionId: string;

    before(async () => {
      db = await createTestDatabase(backend);
      const account = await db.prisma.account.create({
        data: {
          name: "a",
          region: "NA",
          entityId: "E",
          marketplaceId: "M",
          apiBaseUrl: "http://127.0.0.1:1",
          tokenUrl: "http://127.0.0.1:1/t",
          credentials: "v1.a.b.c",
        },
      });
      const instance = await db.prisma.instance.create({
        data: { accountId: account.id, amcInstanceId: "amc1", name: "i" },
      });
      const workflow = await db.prisma.workflow.create({ data: { name: "w", sqlTemplate: "x" } });
      const collection = await db.prisma.collection.create({
        data: {
          name: "c",
          workflowId: workflow.id,
          instanceId: instance.id,
          startDate: new Date("2024-01-01"),
          endDate: new Date("2024-03-31"),
          sqlSnapshot: "x",
          workflowVersion: 1,
        },
      });
      collectionId = collection.id;
    });
    after(async () => {
      await db?.close();
    });

    const week = (startDate: string, endDate: string, isoWeek: string) => ({
      collectionId,
      startDate: new Date(startDate),
      endDate: new Date(endDate),
      isoWeek,
      dataReadyAt: new Date(),
    });

    test("week start is unique per collection", async () => {
      await db.prisma.week.create({ data: week("2024-01-01", "2024-01-07", "2024-W01") });
      await assert.rejects(
        db.prisma.week.create({ data: week("2024-01-01", "2024-01-07", "2024-W99") }),
        (error: { code?: string }) => error.code === "P2002",
      );
    });

    test("ISO week label is unique per collection", async () => {
      await assert.rejects(
        db.prisma.week.create({ data: week("2024-01-08", "2024-01-14", "2024-W01") }),
        (error: { code?: string }) => error.code === "P2002",
      );
    });

    test("week cannot cross a Sunday", async () => {
      await assert.rejects(
        db.prisma.week.create({ data: week("2024-01-10", "2024-01-16", "2024-W02") }),
      );
    });

    test("week cannot end before it starts", async () => {
      await assert.rejects(
        db.prisma.week.create({ data: week("2024-01-17", "2024-01-16", "2024-W03") }),
      );
    });

    test("lease owner and expiry go together", async () => {
      await assert.rejects(
        db.prisma.week.create({
          data: { ...week("2024-01-22", "2024-01-28", "2024-W04"), leaseOwner: "replica-1" },
        }),
      );
    });

    test("one in-flight execution per week", async () => {
      const created = await db.prisma.week.create({
        data: week("2024-01-29", "2024-02-04", "2024-W05"),
      });
      const execution = (attempt: number) => ({
        weekId: created.id,
        attempt,
        sql: "SELECT 1",
        timeWindowStart: "2024-01-29T00:00:00",
        timeWindowEnd: "2024-02-05T00:00:00",
        timeWindowTimeZone: "UTC",
      });
      await db.prisma.execution.create({ data: { ...execution(1), status: "RUNNING" } });
      await assert.rejects(
        db.prisma.execution.create({ data: { ...execution(2), status: "PENDING" } }),
      );
      await db.prisma.execution.create({ data: { ...execution(3), status: "FAILED" } });
    });

    test("collection range cannot be reversed", async () => {
      await assert.rejects(
        db.prisma.collection.update({
          where: { id: collectionId },
          data: { endDate: new Date("2023-12-31") },
        }),
      );
    });
  });
}
