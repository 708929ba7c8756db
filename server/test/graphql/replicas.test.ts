import assert from "node:assert/strict";
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

  before(async () => {
    databaseA = await createTestDatabase("postgres");
    databaseB = await openDatabase(
      { kind: "postgres", url: testPostgresUrl, poolSize: 3 },
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
});
