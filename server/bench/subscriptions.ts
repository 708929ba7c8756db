import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { openDatabase, type Database } from "../src/db/database.ts";
import { notifyChange } from "../src/events/notify.ts";
import { dropSchema, testPostgresUrl } from "../test/support/database.ts";

// Latency of GraphQL subscriptions from the commit of a week change to its receipt by each
// subscriber, with N subscribers of one collection, each on its own WebSocket.
//
// The server runs as a child process (`src/main.ts`) on PostgreSQL in a fresh schema, so its
// memory is measured alone. This process runs the clients and writes the changes the way the
// scheduler does: a transaction that bumps the week's version and calls notifyChange. Both
// timestamps come from this process's clock. Every update reaches every subscriber, the worst
// case of fan-out.
//
// Run: cd server && node --import tsx bench/subscriptions.ts [--subscribers 100,1000]
//        [--updates 200] [--interval-ms 50] [--profile-dir DIR]
// --profile-dir writes a V8 CPU profile of the server process into DIR. CPU per update is the
// CPU time of the server and of this process (clients and commits) during the updates, divided by
// their number.

const { values: options } = parseArgs({
  options: {
    subscribers: { type: "string", default: "100,1000" },
    updates: { type: "string", default: "200" },
    "interval-ms": { type: "string", default: "50" },
    "profile-dir": { type: "string" },
  },
});

const subscriberCounts = options.subscribers.split(",").map(Number);
const updateCount = Number(options.updates);
const intervalMs = Number(options["interval-ms"]);
const viewerToken = `bench-viewer-${randomBytes(12).toString("hex")}`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startServer(schema: string, port: number): Promise<ChildProcess> {
  const entry = path.resolve(import.meta.dirname, "../src/main.ts");
  const profile = options["profile-dir"]
    ? ["--cpu-prof", `--cpu-prof-dir=${options["profile-dir"]}`]
    : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", entry], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: testPostgresUrl,
      DATABASE_SCHEMA: schema,
      SECRET_KEY: randomBytes(32).toString("hex"),
      API_TOKENS: `viewer:${viewerToken}`,
      SCHEDULER: "off",
      AMC_SANDBOX: "off",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ready = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
    if (ready?.ok) return child;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill();
  throw new Error(`the server on port ${port} did not become ready within 60 s`);
}

function residentMemoryMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kilobytes / 1024;
}

/** Returns the CPU time, user and system, that process `pid` has used, in milliseconds. */
function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may contain spaces. utime and
  // stime are fields 14 and 15 of proc(5), in USER_HZ ticks, which are 10 ms on x86 and arm64 Linux.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function seed(database: Database, label: string) {
  const prisma = database.prisma;
  const account = await prisma.account.create({
    data: {
      name: `Bench account ${label}`,
      region: "NA",
      entityId: "ENTITYBENCH",
      marketplaceId: "ATVPDKIKX0DER",
      apiBaseUrl: "http://127.0.0.1:9",
      tokenUrl: "http://127.0.0.1:9/token",
      credentials: "unused",
    },
  });
  const instance = await prisma.instance.create({
    data: { accountId: account.id, amcInstanceId: "amcbench", name: "Bench instance" },
  });
  const workflow = await prisma.workflow.create({
    data: { name: `Bench workflow ${label}`, sqlTemplate: "SELECT 1" },
  });
  const collection = await prisma.collection.create({
    data: {
      name: "Bench collection",
      workflowId: workflow.id,
      instanceId: instance.id,
      startDate: new Date("2025-01-06"),
      endDate: new Date("2025-01-12"),
      sqlSnapshot: "SELECT 1",
      workflowVersion: 1,
    },
  });
  const week = await prisma.week.create({
    data: {
      collectionId: collection.id,
      startDate: new Date("2025-01-06"),
      endDate: new Date("2025-01-12"),
      isoWeek: "2025-W02",
      dataReadyAt: new Date("2025-01-15"),
    },
  });
  return { collection, week };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * fraction) - 1)] ?? NaN;
}

async function run(subscriberCount: number, database: Database, port: number, pid: number) {
  const { collection, week } = await seed(database, String(subscriberCount));
  const committedAtMs = new Map<number, number>();
  const latenciesMs: number[] = [];
  let ready = 0;
  const clients: Client[] = [];
  const memoryBeforeMb = residentMemoryMb(pid);

  for (let index = 0; index < subscriberCount; index += 1) {
    const client = createClient({
      url: `ws://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${viewerToken}` },
      retryAttempts: 0,
    });
    clients.push(client);
    let first = true;
    client.subscribe<{ weekUpdated: { version: number } }>(
      {
        query: `subscription ($id: ID!) { weekUpdated(collectionId: $id) { id status attempts version } }`,
        variables: { id: encodeGlobalID("Collection", collection.id) },
      },
      {
        next: (result) => {
          const receivedMs = performance.now();
          const version = result.data?.weekUpdated.version;
          if (version === undefined) return;
          if (first) {
            first = false;
            ready += 1;
          }
          const committedMs = committedAtMs.get(version);
          if (committedMs !== undefined) latenciesMs.push(receivedMs - committedMs);
        },
        error: (error) => console.error("subscription failed:", error),
        complete: () => {},
      },
    );
  }

  // Warm-up changes until every subscriber has received one, so each is registered.
  let attempts = 0;
  while (ready < subscriberCount) {
    await changeWeek(database, week.id, collection.id, ++attempts);
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (attempts > 600)
      throw new Error(`only ${ready} of ${subscriberCount} subscribers registered`);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  const memoryWithSubscribersMb = residentMemoryMb(pid);
  const serverCpuBeforeMs = cpuTimeMs(pid);
  const clientCpuBefore = process.cpuUsage();

  for (let update = 0; update < updateCount; update += 1) {
    await changeWeek(database, week.id, collection.id, ++attempts, committedAtMs);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const expected = updateCount * subscriberCount;
  const deadline = Date.now() + 10_000;
  while (latenciesMs.length < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const memoryPeakMb = residentMemoryMb(pid);
  const serverCpuMs = cpuTimeMs(pid) - serverCpuBeforeMs;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const clientCpuMs = (clientCpu.user + clientCpu.system) / 1000;
  for (const client of clients) await client.dispose();

  latenciesMs.sort((a, b) => a - b);
  console.log(
    [
      `subscribers ${subscriberCount}`,
      `updates ${updateCount} every ${intervalMs} ms`,
      `receipts ${latenciesMs.length}/${expected}`,
      `median ${percentile(latenciesMs, 0.5).toFixed(1)} ms`,
      `p99 ${percentile(latenciesMs, 0.99).toFixed(1)} ms`,
      `max ${latenciesMs.at(-1)?.toFixed(1)} ms`,
      `server RSS ${memoryBeforeMb.toFixed(0)} MB idle, ${memoryWithSubscribersMb.toFixed(0)} MB subscribed, ${memoryPeakMb.toFixed(0)} MB after updates`,
      `CPU per update: server ${(serverCpuMs / updateCount).toFixed(1)} ms, this process ${(clientCpuMs / updateCount).toFixed(1)} ms`,
    ].join(" | "),
  );
}

/**
 * Changes the week as the scheduler does and returns its new version. With `committedAtMs`, it
 * records the time just before COMMIT is sent, because a receipt can be handled before the
 * transaction's promise resolves here. Latencies therefore include the commit itself.
 */
async function changeWeek(
  database: Database,
  weekId: string,
  collectionId: string,
  attempts: number,
  committedAtMs?: Map<number, number>,
) {
  return database.prisma.$transaction(async (tx) => {
    const updated = await tx.week.update({
      where: { id: weekId },
      data: { attempts, version: { increment: 1 } },
    });
    await notifyChange(tx, {
      type: "week",
      id: weekId,
      collectionId,
      version: updated.version,
      status: updated.status,
    });
    committedAtMs?.set(updated.version, performance.now());
    return updated.version;
  });
}

async function main(): Promise<void> {
  const schema = `bench_${randomBytes(6).toString("hex")}`;
  const port = await freePort();
  const server = await startServer(schema, port);
  const database = await openDatabase(
    { kind: "postgres", url: testPostgresUrl, poolSize: 2 },
    { schema },
  );
  try {
    console.log(
      `Subscription latency, commit to receipt; server pid ${server.pid} on PostgreSQL schema ${schema}`,
    );
    for (const count of subscriberCounts) await run(count, database, port, server.pid!);
  } finally {
    await database.close();
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
    await dropSchema(schema);
  }
}

await main();
