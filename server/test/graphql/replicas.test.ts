import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { encodeGlobalID } from "@pothos/plugin-relay";
import type { Client } from "graphql-ws";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { pauseCollection } from "../../src/domain/collections.ts";
import { createTestDatabase, testPostgresUrl } from "../support/database.ts";
import { seedCollection, seedSetup } from "./seed.ts";
import { tokens } from "./support.ts";
import {
  changeWeek,
  connectClient,
  startTestServer,
  subscribe,
  waitUntil,
  type TestServer,
} from "./ws-support.ts";

// Two server replicas on one PostgreSQL schema, each with its own pool and LISTEN connection:
// a change committed through replica A reaches a subscriber connected to replica B.

describe("two replicas on PostgreSQL", () => {
  let databaseA: Database;
  let databaseB: Database;
  let replicaA: TestServer;
  let replicaB: TestServer;
  let client: Client;

  // Replica B's connections carry this name, so the test can cut exactly them.
  const applicationName = `replica_b_${randomBytes(4).toString("hex")}`;

  before(async () => {
    databaseA = await createTestDatabase("postgres");
    const urlB = new URL(testPostgresUrl);
    urlB.searchParams.set("application_name", applicationName);
    databaseB = await openDatabase(
      { kind: "postgres", url: urlB.toString(), poolSize: 3 },
      { schema: databaseA.connection!.schema },
    );
    replicaA = await startTestServer(databaseA);
    replicaB = await startTestServer(databaseB);
    client = connectClient(replicaB.wsUrl, tokens.viewer);
  });

  after(async () => {
    await client.dispose();
    await replicaB.close();
    await replicaA.close();
    await databaseB.close();
    await databaseA.close();
  });

  test("week change on A reaches B", async () => {
    const setup = await seedSetup(databaseA);
    const { collection, weeks } = await seedCollection(databaseA, setup);
    const subscription = subscribe(
      client,
      `subscription ($id: ID!) { weekUpdated(collectionId: $id) { id status version } }`,
      { id: encodeGlobalID("Collection", collection.id) },
    );
    await waitUntil(() => replicaB.changes.listenerCount(`week:${collection.id}`) === 1);
    const changed = await changeWeek(databaseA.prisma, weeks[2]!, { status: "RUNNING" });
    const [event] = await subscription.waitForEvents(1);
    assert.deepEqual(event!.weekUpdated, {
      id: encodeGlobalID("Week", weeks[2]!.id),
      status: "RUNNING",
      version: changed.version,
    });
    subscription.unsubscribe();
  });

  test("domain write on A reaches B", async () => {
    const setup = await seedSetup(databaseA);
    const { collection } = await seedCollection(databaseA, setup);
    const subscription = subscribe(
      client,
      `subscription ($id: ID!) { collectionUpdated(id: $id) { collection { status version } } }`,
      { id: encodeGlobalID("Collection", collection.id) },
    );
    await waitUntil(() => replicaB.changes.listenerCount(`collection:${collection.id}`) === 1);
    const paused = await pauseCollection(databaseA.prisma, collection.id);
    const [event] = await subscription.waitForEvents(1);
    assert.deepEqual(event!.collectionUpdated.collection, {
      status: "PAUSED",
      version: paused.version,
    });
    subscription.unsubscribe();
  });

  test("listener reconnects after losing its connection", async () => {
    const setup = await seedSetup(databaseA);
    const { collection, weeks } = await seedCollection(databaseA, setup);
    const subscription = subscribe(
      client,
      `subscription ($id: ID!) { weekUpdated(collectionId: $id) { id status version } }`,
      { id: encodeGlobalID("Collection", collection.id) },
    );
    await waitUntil(() => replicaB.changes.listenerCount(`week:${collection.id}`) === 1);

    const terminated = await databaseA.prisma.$queryRawUnsafe<{ pid: number }[]>(
      "SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity WHERE application_name = $1",
      applicationName,
    );
    assert.ok(terminated.length > 0, "replica B has no connection to terminate");
    await waitUntil(
      () => !replicaB.changes.isListening(),
      5000,
      () => "B never noticed the loss",
    );
    // A change while B is disconnected is lost as an event, but B republishes the week's
    // current state once it has reconnected.
    const missed = await changeWeek(databaseA.prisma, weeks[0]!, { status: "RUNNING" });
    await waitUntil(
      () => replicaB.changes.isListening(),
      10_000,
      () => "B did not reconnect",
    );
    const weekId = encodeGlobalID("Week", weeks[0]!.id);
    await waitUntil(
      () =>
        subscription.events.some(
          (event) =>
            event.weekUpdated.id === weekId && event.weekUpdated.version === missed.version,
        ),
      10_000,
      () => `no republished event for the missed change: ${JSON.stringify(subscription.events)}`,
    );

    const after = await changeWeek(databaseA.prisma, weeks[0]!, { status: "SUCCESS" });
    await waitUntil(() =>
      subscription.events.some((event) => event.weekUpdated.version === after.version),
    );
    subscription.unsubscribe();
  });
});
