// Scheduler benchmark. Prints figures; asserts nothing.
//
//   cd server && node --import tsx bench/scheduler.ts
//
// 1. Throughput: 5 collections x 52 weeks on 5 AMC instances, with a sandbox in its own process
//    finishing executions at once (so its CPU time does not count against the scheduler's). It runs on in-memory PGlite and on PostgreSQL
//    (TEST_DATABASE_URL, default 127.0.0.1:5432). It prints weeks per second from start to the
//    last SUCCESS, and database statements per week (BEGIN and COMMIT included).
// 2. Efficiency: one 52-week collection with every execution lasting D, at 10 weeks at once:
//    the ideal time is ceil(52 / 10) x D; prints ideal / actual.

import pg from "pg";
import type { Database } from "../src/db/database.ts";
import type { Backend } from "../test/support/database.ts";
import { startSandboxProcess } from "../test/support/scheduler-processes.ts";
import {
  createSandboxCollections,
  createSchedulerTestDatabase,
  startTestScheduler,
  waitUntil,
  weekStatusCounts,
} from "../test/support/scheduler-harness.ts";

let statementCount = 0;

/** Counts statements sent by any pg client, which is what Prisma's adapter uses. */
function countPostgresStatements(): void {
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statementCount++;
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

/** Counts statements on an in-memory PGlite, inside and outside transactions. */
function countPgliteStatements(database: Database): void {
  const db = database.pglite!;
  const query = db.query.bind(db);
  const exec = db.exec.bind(db);
  const transaction = db.transaction.bind(db);
  db.query = ((...args: Parameters<typeof query>) => {
    statementCount++;
    return query(...args);
  }) as typeof db.query;
  db.exec = ((...args: Parameters<typeof exec>) => {
    statementCount++;
    return exec(...args);
  }) as typeof db.exec;
  db.transaction = ((callback: Parameters<typeof transaction>[0]) =>
    transaction((tx) => {
      statementCount += 2;
      const txQuery = tx.query.bind(tx);
      const txExec = tx.exec.bind(tx);
      tx.query = ((...args: Parameters<typeof txQuery>) => {
        statementCount++;
        return txQuery(...args);
      }) as typeof tx.query;
      tx.exec = ((...args: Parameters<typeof txExec>) => {
        statementCount++;
        return txExec(...args);
      }) as typeof tx.exec;
      return callback(tx);
    })) as typeof db.transaction;
}

/**
 * Runs `weeks` weeks through a fresh sandbox before measuring, so the figures leave out the
 * start of its query engine (several seconds, once per process) and, with all 52 weeks, its
 * first run of each window's SQL: the sandbox then serves every measured execution from its
 * result cache, which is what "AMC answering instantly" means here.
 */
async function warmUp(database: Database, sandboxUrl: string, weeks = 1): Promise<void> {
  await createSandboxCollections(database, sandboxUrl, {
    collections: 1,
    weeksPerCollection: weeks,
    amcInstanceIds: ["amcwarmup"],
  });
  const scheduler = await startTestScheduler(database, { pollIntervalMinMs: 10 });
  await waitUntil(
    "warm-up weeks SUCCESS",
    async () => (await weekStatusCounts(database)).SUCCESS === weeks,
    110_000,
  );
  await scheduler.stop();
}

async function throughput(backend: Backend): Promise<void> {
  const database = await createSchedulerTestDatabase(backend);
  const sandbox = await startSandboxProcess(0);
  try {
    const weeks = 5 * 52;
    await warmUp(database, sandbox.url, 52);
    await createSandboxCollections(database, sandbox.url, {
      collections: 5,
      weeksPerCollection: 52,
      instances: 5,
    });
    if (backend === "pglite") countPgliteStatements(database);
    statementCount = 0;
    const startMs = performance.now();
    const scheduler = await startTestScheduler(database, { pollIntervalMinMs: 10 });
    await waitUntil(
      "every week SUCCESS",
      async () => (await weekStatusCounts(database)).SUCCESS === weeks + 52,
      110_000,
      5,
    );
    const elapsedMs = performance.now() - startMs;
    await scheduler.stop();
    const stats = await sandbox.stats();
    const created = Object.values(stats.executionsCreated).reduce((a, b) => a + b, 0) - 52;
    console.log(
      `throughput ${backend.padEnd(8)} ${weeks} weeks in ${(elapsedMs / 1000).toFixed(2)} s: ` +
        `${(weeks / (elapsedMs / 1000)).toFixed(0)} weeks/s, ` +
        `~${(statementCount / weeks).toFixed(1)} statements/week (progress polling included), ` +
        `${created} executions created`,
    );
  } finally {
    await sandbox.stop();
    await database.close();
  }
}

async function efficiency(backend: Backend, durationMs: number): Promise<void> {
  const database = await createSchedulerTestDatabase(backend);
  const sandbox = await startSandboxProcess(durationMs);
  try {
    await warmUp(database, sandbox.url);
    await createSandboxCollections(database, sandbox.url, {
      collections: 1,
      weeksPerCollection: 52,
    });
    const startMs = performance.now();
    const scheduler = await startTestScheduler(database, { pollIntervalMinMs: 5 });
    await waitUntil(
      "every week SUCCESS",
      async () => (await weekStatusCounts(database)).SUCCESS === 53,
      110_000,
      5,
    );
    const actualMs = performance.now() - startMs;
    await scheduler.stop();
    const idealMs = Math.ceil(52 / 10) * durationMs;
    console.log(
      `efficiency ${backend.padEnd(8)} D=${durationMs} ms: ideal ${idealMs} ms, actual ` +
        `${actualMs.toFixed(0)} ms, ideal/actual ${(idealMs / actualMs).toFixed(3)}`,
    );
  } finally {
    await sandbox.stop();
    await database.close();
  }
}

countPostgresStatements();
const only = process.argv[2];
if (!only || only === "throughput") {
  await throughput("pglite");
  await throughput("postgres");
}
if (!only || only === "efficiency") {
  await efficiency("postgres", Number(process.env.BENCH_DURATION_MS ?? 2000));
}
