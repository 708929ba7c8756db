import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import { backends, createTestDatabase } from "../support/database.ts";

for (const backend of backends) {
  describe(`models on ${backend}`, () => {
    let db: Database;
    before(async () => {
      db = await createTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });

    test("collection with weeks round-trips dates", async () => {
      const account = await db.prisma.account.create({
        data: {
          name: "acct",
          region: "NA",
          entityId: "ENTITY1",
          marketplaceId: "ATVPDKIKX0DER",
          apiBaseUrl: "http://127.0.0.1:4010",
          tokenUrl: "http://127.0.0.1:4010/auth/o2/token",
          credentials: "v1.x.y.z",
        },
      });
      const instance = await db.prisma.instance.create({
        data: { accountId: account.id, amcInstanceId: "amcabc", name: "Main" },
      });
      const workflow = await db.prisma.workflow.create({
        data: { name: "wf", sqlTemplate: "SELECT 1" },
      });
      const collection = await db.prisma.collection.create({
        data: {
          name: "c",
          workflowId: workflow.id,
          instanceId: instance.id,
          startDate: new Date("2024-01-01"),
          endDate: new Date("2024-01-14"),
          sqlSnapshot: "SELECT 1",
          workflowVersion: 1,
          weeks: {
            create: [
              {
                startDate: new Date("2024-01-01"),
                endDate: new Date("2024-01-07"),
                isoWeek: "2024-W01",
                dataReadyAt: new Date("2024-01-10T00:00:00Z"),
              },
            ],
          },
        },
        include: { weeks: true },
      });
      assert.equal(collection.weeks.length, 1);
      assert.equal(collection.weeks[0]?.startDate.toISOString(), "2024-01-01T00:00:00.000Z");
      assert.equal(instance.maxConcurrentExecutions, 10);

      const weekId = collection.weeks[0]!.id;
      const execution = await db.prisma.execution.create({
        data: {
          weekId,
          attempt: 1,
          sql: "SELECT 1",
          timeWindowStart: "2024-01-01T00:00:00",
          timeWindowEnd: "2024-01-08T00:00:00",
          timeWindowTimeZone: "UTC",
          events: { create: [{ kind: "SUBMITTED", message: "submitted", data: { try: 1 } }] },
        },
      });
      const resultSet = await db.prisma.resultSet.create({
        data: {
          executionId: execution.id,
          weekId,
          columns: [{ name: "impressions", type: "integer" }],
          rowCount: 1,
          rows: { create: [{ rowNumber: 0, values: [42] }] },
          metrics: {
            create: [
              { weekId, collectionId: collection.id, metric: "impressions", sum: 42, count: 1 },
            ],
          },
        },
      });
      await db.prisma.week.update({
        where: { id: weekId },
        data: { currentResultId: resultSet.id, rowCount: 1, summary: { rowCount: 1 } },
      });
      await db.prisma.apiToken.create({
        data: { name: "ci", role: "ADMIN", tokenHash: "f".repeat(64), prefix: "amc_ffff" },
      });

      const loaded = await db.prisma.week.findUniqueOrThrow({
        where: { id: weekId },
        include: {
          currentResult: { include: { rows: true, metrics: true } },
          executions: { include: { events: true } },
        },
      });
      assert.deepEqual(loaded.currentResult?.rows[0]?.values, [42]);
      assert.equal(loaded.currentResult?.metrics[0]?.sum, 42);
      assert.equal(loaded.executions[0]?.events[0]?.kind, "SUBMITTED");
      assert.equal(await db.prisma.apiToken.count(), 1);
    });

    test("deleting a collection removes its weeks and results", async () => {
      await db.prisma.collection.deleteMany({});
      assert.equal(await db.prisma.week.count(), 0);
      assert.equal(await db.prisma.execution.count(), 0);
      assert.equal(await db.prisma.resultRow.count(), 0);
      assert.equal(await db.prisma.weekMetric.count(), 0);
    });
  });
}
