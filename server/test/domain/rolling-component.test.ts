import { createAmcClient } from "../../src/amc/client.ts";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { AppParts } from "../../src/app.ts";
import type { Config } from "../../src/config.ts";
import type { Database } from "../../src/db/database.ts";
import { createCollection } from "../../src/domain/collections.ts";
import { rollingWeeksComponent } from "../../src/domain/rolling-component.ts";
import { addDaysToDay, dbDateToDay } from "../../src/domain/weeks.ts";
import { createLogger } from "../../src/logger.ts";
import { createTestDatabase } from "../support/database.ts";
import { insertFixtures, validInput } from "./fixtures.ts";

const dayMs = 24 * 60 * 60 * 1000;

/** Returns the last Sunday strictly before `day`, both "YYYY-MM-DD". */
function lastSundayBefore(day: string): string {
  let candidate = addDaysToDay(day, -1);
  while (new Date(`${candidate}T00:00:00Z`).getUTCDay() !== 0) {
    candidate = addDaysToDay(candidate, -1);
  }
  return candidate;
}

describe("rolling weeks component", () => {
  let db: Database;
  before(async () => {
    db = await createTestDatabase("pglite");
  });
  after(async () => {
    await db?.close();
  });

  test("component appends on start", async () => {
    // The collection is created as if three weeks ago, so the component, which uses the real
    // clock, finds at least two finished weeks to append.
    const ids = await insertFixtures(db.prisma);
    const createdAt = new Date(Date.now() - 21 * dayMs);
    const startDate = new Date(Date.now() - 35 * dayMs).toISOString().slice(0, 10);
    const collection = await createCollection(
      db.prisma,
      validInput(ids, { mode: "ROLLING", endDate: null, startDate, timezone: "UTC" }),
      { now: createdAt, maxWeeks: 60 },
    );
    const weeksBefore = await db.prisma.week.count({ where: { collectionId: collection.id } });

    const parts: AppParts = { routes: [], upgrades: [], readiness: [], stoppers: [] };
    const config = { scheduler: { enabled: true } } as Config;
    await rollingWeeksComponent({
      config,
      logger: createLogger("silent"),
      database: db,
      secretKey: randomBytes(32),
      amc: createAmcClient({ requestTimeoutMs: 1000, requestsPerSecond: 10 }),
      parts,
    });
    assert.equal(parts.stoppers.length, 1);
    await parts.stoppers[0]!();

    const stored = await db.prisma.collection.findUniqueOrThrow({ where: { id: collection.id } });
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(dbDateToDay(stored.endDate), lastSundayBefore(today));
    const weeksAfter = await db.prisma.week.count({ where: { collectionId: collection.id } });
    assert.ok(weeksAfter >= weeksBefore + 2, `${weeksBefore} weeks before, ${weeksAfter} after`);
  });

  test("component idle without scheduler", async () => {
    const parts: AppParts = { routes: [], upgrades: [], readiness: [], stoppers: [] };
    await rollingWeeksComponent({
      config: { scheduler: { enabled: false } } as Config,
      logger: createLogger("silent"),
      database: db,
      secretKey: randomBytes(32),
      amc: createAmcClient({ requestTimeoutMs: 1000, requestsPerSecond: 10 }),
      parts,
    });
    assert.equal(parts.stoppers.length, 0);
  });
});
