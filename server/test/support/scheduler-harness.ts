import { randomBytes } from "node:crypto";
import { createAmcClient } from "../../src/amc/client.ts";
import type { Clock } from "../../src/amc/clock.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { encryptCredentials } from "../../src/db/secrets.ts";
import { settleCollection } from "../../src/domain/settle.ts";
import { createLogger } from "../../src/logger.ts";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.ts";
import type { SchedulerSettings } from "../../src/scheduler/context.ts";
import { startScheduler, type Scheduler } from "../../src/scheduler/scheduler.ts";
import { createTestDatabase, dropSchema, testPostgresUrl, type Backend } from "./database.ts";
import {
  createFixtureCollections,
  type Fixture,
  type FixtureOptions,
} from "./scheduler-fixtures.ts";

// In-process pieces of scheduler tests: a sandbox on loopback, collections pointing at it, and
// a scheduler with fast test timings.

export const testLogger = createLogger(process.env.TEST_LOG_LEVEL ?? "silent");
export const testSecretKey = randomBytes(32);
export const sandboxCredentials = {
  clientId: "amzn1.application-oa2-client.test",
  clientSecret: "test-client-secret",
  refreshToken: "Atzr|test-refresh-token",
};

/** Scheduler settings for tests: short ticks, leases and polls. */
export const testSettings: SchedulerSettings = {
  maxActiveCollections: 5,
  maxRunningWeeksPerCollection: 10,
  maxRunningPerInstance: 10,
  maxAttempts: 3,
  tickIntervalMs: 200,
  leaseDurationMs: 2000,
  pollIntervalMinMs: 10,
  pollIntervalMaxMs: 200,
  retryBaseDelayMs: 20,
  retryMaxDelayMs: 200,
  timeScale: 1,
};

/** Starts a sandbox on a free loopback port. */
export function startTestSandbox(executionDurationMs: number): Promise<Sandbox> {
  return startSandbox({ logger: testLogger, port: 0, executionDurationMs });
}

/** Creates collections whose account points at `sandboxUrl`, credentials encrypted. */
export function createSandboxCollections(
  db: Database,
  sandboxUrl: string,
  options: Omit<FixtureOptions, "apiBaseUrl" | "tokenUrl" | "credentials">,
  secretKey = testSecretKey,
): Promise<Fixture> {
  return createFixtureCollections(db, {
    ...options,
    apiBaseUrl: sandboxUrl,
    tokenUrl: `${sandboxUrl}/auth/o2/token`,
    credentials: encryptCredentials(secretKey, sandboxCredentials),
  });
}

/** Starts a scheduler against the database with test settings and its own AMC client. */
export function startTestScheduler(
  db: Database,
  settings: Partial<SchedulerSettings> = {},
  clock?: Clock,
): Promise<Scheduler> {
  const merged = { ...testSettings, ...settings };
  const amc = createAmcClient({
    logger: testLogger,
    requestTimeoutMs: 30_000,
    requestsPerSecond: 10_000,
    retry: { baseDelayMs: 10, maxDelayMs: 100 },
    ...(clock ? { clock } : {}),
  });
  return startScheduler({
    database: db,
    amc,
    logger: testLogger,
    secretKey: testSecretKey,
    settings: merged,
    settleCollection: (tx, collectionId) => settleCollection(tx, collectionId),
  });
}

/** Polls `check` every `intervalMs` until it returns true; throws after `timeoutMs`. */
export async function waitUntil(
  description: string,
  check: () => Promise<boolean>,
  timeoutMs = 90_000,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}.`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until the week has `status`. */
export function waitForWeekStatus(db: Database, weekId: string, status: string): Promise<void> {
  return waitUntil(`week ${status}`, async () => {
    const week = await db.prisma.week.findUniqueOrThrow({ where: { id: weekId } });
    return week.status === status;
  });
}

/** Counts weeks per status. */
export async function weekStatusCounts(db: Database): Promise<Record<string, number>> {
  const groups = await db.prisma.week.groupBy({ by: ["status"], _count: true });
  return Object.fromEntries(groups.map((group) => [group.status, group._count]));
}

/**
 * Opens a migrated test database like `createTestDatabase`, with a PostgreSQL pool large enough
 * for dozens of concurrent week runners.
 */
export async function createSchedulerTestDatabase(
  backend: Backend,
  poolSize = 20,
): Promise<Database> {
  if (backend === "pglite") return createTestDatabase("pglite");
  const schema = `test_${randomBytes(6).toString("hex")}`;
  const database = await openDatabase(
    { kind: "postgres", url: testPostgresUrl, poolSize },
    { schema },
  );
  await database.migrate();
  const close = database.close;
  return {
    ...database,
    close: async () => {
      await close();
      await dropSchema(schema);
    },
  };
}
