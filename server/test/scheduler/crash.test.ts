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

// A replica is killed with SIGKILL at each point of a week's life. The next replica takes over
// the expired leases and finishes every week with exactly one AMC execution. Sandbox delays,
// not sleeps, hold each replica at its point. The test runs on PostgreSQL only, because it reads
// the database while replicas run, which an embedded PGlite directory does not allow.

async function countExecutions(db: Database, where: string): Promise<number> {
  const [row] = await db.prisma.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM "Execution" WHERE ${where}`,
  );
  return row!.n;
}

describe("scheduler crash recovery on postgres", () => {
  let db: Database;
  let sandbox: SandboxProcess;
  let replica: Replica | undefined;
  let schema: string;
  before(async () => {
    db = await createSchedulerTestDatabase("postgres");
    schema = db.connection!.schema!;
    sandbox = await startSandboxProcess(300);
  });
  after(async () => {
    await replica?.kill("SIGKILL");
    await sandbox?.stop();
    await db?.close();
  });

  test("SIGKILL before submit", async () => {
    await sandbox.addFault({ kind: "slow", delayMs: 20_000, endpoints: ["createWorkflow"] });
    await createSandboxCollections(db, sandbox.url, { collections: 1, weeksPerCollection: 3 });
    const workflowsBefore = (await sandbox.stats()).requests.createWorkflow ?? 0;
    replica = await startReplica(schema);
    // A claimed week creates its saved workflow before it records the attempt, so the three
    // weeks are RUNNING with no Execution row while the calls hang.
    await waitUntil("three saved-workflow calls in flight", async () => {
      return ((await sandbox.stats()).requests.createWorkflow ?? 0) - workflowsBefore === 3;
    });
    await replica.kill("SIGKILL");
    await sandbox.clearFaults();
    assert.equal((await weekStatusCounts(db)).RUNNING, 3);
    assert.equal(await db.prisma.execution.count(), 0);
  });

  test("SIGKILL between submit and storing id", async () => {
    await sandbox.addFault({ kind: "slow", delayMs: 1500, endpoints: ["createExecution"] });
    await createSandboxCollections(db, sandbox.url, { collections: 1, weeksPerCollection: 3 });
    replica = await startReplica(schema);
    await waitUntil("a create call in flight", async () => {
      return (
        (await countExecutions(db, `"submittedAt" IS NOT NULL AND "amcExecutionId" IS NULL`)) > 0
      );
    });
    await replica.kill("SIGKILL");
    await sandbox.clearFaults();
  });

  test("SIGKILL and a lost attempt row", async () => {
    // Each create call reaches AMC and then loses its connection, so the runner waits before it
    // lists the week's executions. The replica dies in that wait.
    await sandbox.addFault({ kind: "dropAfterCreate", endpoints: ["createExecution"] });
    const fixture = await createSandboxCollections(db, sandbox.url, {
      collections: 1,
      weeksPerCollection: 3,
      amcInstanceIds: ["amclostrow"],
    });
    const collectionId = fixture.collectionIds[0]!;
    replica = await startReplica(schema);
    await waitUntil("three executions created at AMC", async () => {
      return ((await sandbox.stats()).executionsCreated.amclostrow ?? 0) === 3;
    });
    await replica.kill("SIGKILL");
    await sandbox.clearFaults();
    assert.equal(
      await db.prisma.execution.count({
        where: { week: { collectionId }, amcExecutionId: { not: null } },
      }),
      0,
    );
    // The attempt's row commits without waiting for the WAL flush, so a database crash can
    // lose it after its create call went out. The takeover must then find that execution.
    const lost = await db.prisma.execution.deleteMany({ where: { week: { collectionId } } });
    assert.equal(lost.count, 3);
  });

  test("SIGKILL while polling", async () => {
    await sandbox.setExecutionDurationMs(5000);
    await createSandboxCollections(db, sandbox.url, { collections: 1, weeksPerCollection: 3 });
    replica = await startReplica(schema);
    await waitUntil("every execution at AMC", async () => {
      const submitted = await countExecutions(
        db,
        `"amcExecutionId" IS NOT NULL AND status IN ('PENDING', 'RUNNING')`,
      );
      return submitted >= 3;
    });
    await replica.kill("SIGKILL");
    await sandbox.setExecutionDurationMs(300);
  });

  test("SIGKILL while storing results", async () => {
    const downloadsBefore = (await sandbox.stats()).requests.download ?? 0;
    await sandbox.addFault({ kind: "slow", delayMs: 3000, endpoints: ["download"] });
    replica = await startReplica(schema);
    await waitUntil("a result download in flight", async () => {
      return ((await sandbox.stats()).requests.download ?? 0) > downloadsBefore;
    });
    await replica.kill("SIGKILL");
    await sandbox.clearFaults();
  });

  test("restart finishes every week once", async () => {
    replica = await startReplica(schema);
    await waitUntil(
      "every week SUCCESS",
      async () => (await weekStatusCounts(db)).SUCCESS === 12,
      120_000,
    );
    const stats = await sandbox.stats();
    const created = Object.values(stats.executionsCreated).reduce((a, b) => a + b, 0);
    assert.equal(created, 12);
    assert.equal(await db.prisma.execution.count(), 12);
    assert.equal(await countExecutions(db, `status = 'SUCCEEDED'`), 12);
    const weeks = await db.prisma.week.findMany({
      select: { currentResultId: true, attempts: true },
    });
    assert.ok(weeks.every((week) => week.currentResultId !== null));
    assert.ok(weeks.every((week) => week.attempts === 1));
    const resultSets = await db.prisma.resultSet.count();
    assert.equal(resultSets, 12);
    const takeovers = await db.prisma.executionEvent.count({ where: { kind: "TAKEOVER" } });
    assert.ok(takeovers >= 3, `only ${takeovers} executions resumed by a later replica`);
  });
});
