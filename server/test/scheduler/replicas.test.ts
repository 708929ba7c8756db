import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import {
  createSandboxCollections,
  createSchedulerTestDatabase,
  waitUntil,
  weekStatusCounts,
} from "../support/scheduler-harness.ts";
import {
  startReplica,
  startSandboxProcess,
  type Replica,
  type SandboxProcess,
} from "../support/scheduler-processes.ts";

// Several server processes on one PostgreSQL schema, sharing one standalone sandbox.

async function maxRunningSample(db: Database) {
  const [row] = await db.prisma.$queryRawUnsafe<
    { active: number; perCollection: number; perInstance: number }[]
  >(
    `WITH r AS (
       SELECT w."collectionId", c."instanceId", count(*)::int AS n
       FROM "Week" w JOIN "Collection" c ON c.id = w."collectionId"
       WHERE w.status = 'RUNNING' GROUP BY w."collectionId", c."instanceId")
     SELECT count(*)::int AS active, COALESCE(max(n), 0)::int AS "perCollection",
       COALESCE((SELECT max(s) FROM (SELECT sum(n)::int AS s FROM r GROUP BY "instanceId") i), 0)::int AS "perInstance"
     FROM r`,
  );
  return row!;
}

async function runAndCheck(db: Database, sandbox: SandboxProcess, expectedWeeks: number) {
  let peakActive = 0;
  let peakPerCollection = 0;
  let peakPerInstance = 0;
  await waitUntil(
    `${expectedWeeks} weeks SUCCESS`,
    async () => {
      const sample = await maxRunningSample(db);
      peakActive = Math.max(peakActive, sample.active);
      peakPerCollection = Math.max(peakPerCollection, sample.perCollection);
      peakPerInstance = Math.max(peakPerInstance, sample.perInstance);
      const counts = await weekStatusCounts(db);
      assert.equal(counts.FAILED, undefined);
      return counts.SUCCESS === expectedWeeks;
    },
    120_000,
    20,
  );
  assert.ok(peakActive <= 5, `peak of ${peakActive} active collections`);
  assert.ok(peakPerCollection <= 10, `peak of ${peakPerCollection} weeks in one collection`);
  assert.ok(peakPerInstance <= 10, `peak of ${peakPerInstance} weeks on one instance`);
  const stats = await sandbox.stats();
  const created = Object.values(stats.executionsCreated).reduce((a, b) => a + b, 0);
  assert.equal(created, expectedWeeks);
  for (const peak of Object.values(stats.maxRunning)) assert.ok(peak <= 10);
  const executions = await db.prisma.execution.count();
  assert.equal(executions, expectedWeeks);
}

describe("scheduler replicas on postgres", () => {
  let db: Database;
  let sandbox: SandboxProcess;
  const replicas: Replica[] = [];
  before(async () => {
    db = await createSchedulerTestDatabase("postgres");
    sandbox = await startSandboxProcess(200);
  });
  after(async () => {
    await Promise.all(replicas.map((replica) => replica.kill("SIGKILL")));
    await sandbox?.stop();
    await db?.close();
  });

  test("two replicas share the work", async () => {
    const schema = db.connection!.schema!;
    replicas.push(...(await Promise.all([startReplica(schema), startReplica(schema)])));
    await createSandboxCollections(db, sandbox.url, {
      collections: 4,
      weeksPerCollection: 12,
      instances: 2,
    });
    await runAndCheck(db, sandbox, 48);
    for (const replica of replicas) assert.ok(replica.countLogs("execution submitted") > 0);
  });

  test("three replicas share the work", async () => {
    const schema = db.connection!.schema!;
    replicas.push(await startReplica(schema));
    const before = replicas.map((replica) => replica.countLogs("execution submitted"));
    await createSandboxCollections(db, sandbox.url, {
      collections: 6,
      weeksPerCollection: 10,
      instances: 3,
    });
    await runAndCheck(db, sandbox, 108);
    const after = replicas.map((replica) => replica.countLogs("execution submitted"));
    assert.ok(
      after.every((count, i) => count > before[i]!),
      `submissions per replica: ${after}`,
    );
  });

  test("graceful stop is clean", async () => {
    const replica = replicas.pop()!;
    await replica.kill("SIGTERM");
    assert.equal(replica.child.exitCode, 0);
    assert.match(replica.output(), /"msg":"scheduler stopped"/);
  });
});
