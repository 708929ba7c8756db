// Scheduler benchmark. Prints figures; asserts nothing.
//
//   cd server && node --import tsx bench/scheduler.ts [throughput|efficiency] [pglite|postgres]
//
// 1. Throughput: 5 collections x 52 weeks on 5 AMC instances, with a sandbox in its own process
//    finishing executions at once (so its CPU time does not count against the scheduler's). It runs on in-memory PGlite and on PostgreSQL
//    (TEST_DATABASE_URL, default 127.0.0.1:5432). It prints weeks per second from start to the
//    last SUCCESS, and database statements per week (BEGIN and COMMIT included).
// 2. Efficiency: one 52-week collection with every execution lasting D, at 10 weeks at once:
//    the ideal time is ceil(52 / 10) x D; prints ideal / actual.

import { readdirSync, readFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
import pg from "pg";
import type { Database } from "../src/db/database.ts";
import { namedStatement, queryDirect } from "../src/db/direct-query.ts";
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

/** CPU time in ms of the processes whose ids are given, or named `postgres`, from /proc. */
function cpuMs(select: { pid?: number; command?: string }): number {
  const ticksPerMs = 100 / 1000; // /proc/<pid>/stat counts in USER_HZ ticks, 100 per second on x86 Linux
  let total = 0;
  const pids = select.pid
    ? [String(select.pid)]
    : readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const command = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (select.command && command !== select.command) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

/** CPU used by this process, the sandbox and PostgreSQL's processes, in ms. */
function cpuSnapshot(sandboxPid: number | undefined) {
  const own = process.cpuUsage();
  return {
    scheduler: (own.user + own.system) / 1000,
    sandbox: cpuMs({ pid: sandboxPid }),
    postgres: cpuMs({ command: "postgres" }),
  };
}
const trace = process.env.BENCH_TRACE ? new Map<string, number>() : undefined;

/** Counts statements sent by any pg client, which is what Prisma's adapter uses. */
function countPostgresStatements(): void {
  const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statementCount++;
    if (trace) {
      const text =
        typeof args[0] === "string" ? args[0] : String((args[0] as { text?: string })?.text);
      const key = text.replace(/\s+/g, " ").slice(0, 110);
      trace.set(key, (trace.get(key) ?? 0) + 1);
    }
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
  // The warm-up's saved workflows are deleted after its collection settles; that work belongs
  // to the warm-up, not to the measured run.
  await waitUntil(
    "warm-up saved workflows deleted",
    async () =>
      (await database.prisma.execution.count({ where: { amcWorkflowDeletedAt: null } })) === 0,
    110_000,
  );
  await scheduler.stop();
}

/** Reads the database's clock, in ms; start and end of a run both come from it. */
async function databaseNowMs(database: Database): Promise<number> {
  const rows = await database.prisma.$queryRawUnsafe<{ now: Date }[]>(
    `SELECT clock_timestamp() AT TIME ZONE 'UTC' AS now`,
  );
  return rows[0]!.now.getTime();
}

/** Counts SUCCESS weeks with a prepared statement, which costs the measured process little. */
const countSucceededSql = namedStatement(
  "bench_count_succeeded",
  `SELECT count(*)::int AS n FROM "Week" WHERE status = 'SUCCESS'`,
);

/**
 * Waits for `weeks` SUCCESS weeks, checking every 50 ms, and returns when the last one finished
 * by the database's clock, so the check's interval adds nothing to the measured time.
 */
async function waitForSuccess(database: Database, weeks: number): Promise<number> {
  await waitUntil(
    "every week SUCCESS",
    async () => (await queryDirect<{ n: number }>(database, countSucceededSql, []))[0]?.n === weeks,
    110_000,
    50,
  );
  const rows = await database.prisma.$queryRawUnsafe<{ last: Date }[]>(
    `SELECT max("finishedAt") AS last FROM "Week"`,
  );
  return rows[0]!.last.getTime();
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
    trace?.clear();
    const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post("Profiler.enable");
      await profiler.post("Profiler.start");
    }
    const cpuBefore = cpuSnapshot(sandbox.pid);
    const startMs = await databaseNowMs(database);
    const scheduler = await startTestScheduler(database, { pollIntervalMinMs: 10 });
    const elapsedMs = (await waitForSuccess(database, weeks + 52)) - startMs;
    const cpuAfter = cpuSnapshot(sandbox.pid);
    if (profiler) {
      const { profile } = await profiler.post("Profiler.stop");
      writeFileSync(
        `${process.env.BENCH_PROFILE}/scheduler-${backend}.cpuprofile`,
        JSON.stringify(profile),
      );
      profiler.disconnect();
    }
    await scheduler.stop();
    if (trace) {
      for (const [text, n] of [...trace].sort((a, b) => b[1] - a[1]))
        console.log(`${(n / weeks).toFixed(2).padStart(6)} ${text}`);
    }
    const stats = await sandbox.stats();
    const created = Object.values(stats.executionsCreated).reduce((a, b) => a + b, 0) - 52;
    console.log(
      `throughput ${backend.padEnd(8)} ${weeks} weeks in ${(elapsedMs / 1000).toFixed(2)} s: ` +
        `${(weeks / (elapsedMs / 1000)).toFixed(0)} weeks/s, ` +
        `~${(statementCount / weeks).toFixed(1)} statements/week (the check for the end included), ` +
        `${created} executions created`,
    );
    const perWeek = (key: keyof typeof cpuAfter) =>
      ((cpuAfter[key] - cpuBefore[key]) / weeks).toFixed(2);
    console.log(
      `  CPU per week: scheduler process ${perWeek("scheduler")} ms, sandbox ${perWeek("sandbox")} ms, ` +
        `PostgreSQL ${perWeek("postgres")} ms`,
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
    const startMs = await databaseNowMs(database);
    const scheduler = await startTestScheduler(database, { pollIntervalMinMs: 5 });
    const actualMs = (await waitForSuccess(database, 53)) - startMs;
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
const backends = (process.argv[3] ? [process.argv[3]] : ["pglite", "postgres"]) as Backend[];
if (!only || only === "throughput") {
  for (const backend of backends) await throughput(backend);
}
if (!only || only === "efficiency") {
  await efficiency("postgres", Number(process.env.BENCH_DURATION_MS ?? 2000));
}
