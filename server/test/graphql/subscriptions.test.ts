import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { encodeGlobalID } from "@pothos/plugin-relay";
import type { Client } from "graphql-ws";
import WebSocket from "ws";
import { startApp, type App } from "../../src/app.ts";
import { createApiToken } from "../../src/auth/tokens.ts";
import type { Database } from "../../src/db/database.ts";
import { notifyChange } from "../../src/events/notify.ts";
import { createTestDatabase } from "../support/database.ts";
import { seedCollection, seedSetup } from "./seed.ts";
import { testConfig, testLogger, tokens } from "./support.ts";
import {
  changeWeek,
  connectClient,
  startTestServer,
  subscribe,
  waitUntil,
  type TestServer,
} from "./ws-support.ts";

// Subscriptions over real WebSockets with a graphql-ws client: filtering per collection,
// version order, reconnects, authentication and freeing listeners.

const weekUpdated = `subscription ($id: ID!) { weekUpdated(collectionId: $id) { id status version collection { name } } }`;
const collectionUpdated = `subscription ($id: ID!) { collectionUpdated(id: $id) {
  id deleted collection { status version progress { total running succeeded } } } }`;

describe("subscriptions", () => {
  let database: Database;
  let server: TestServer;
  let setup: Awaited<ReturnType<typeof seedSetup>>;
  const clients: Client[] = [];

  const connect = (token: string | null = tokens.viewer, options = {}) => {
    const client = connectClient(server.wsUrl, token, options);
    clients.push(client);
    return client;
  };

  /** Waits until `topic` has `count` listeners, such as "week:<collectionId>". */
  const registered = (topic: string, count = 1) =>
    waitUntil(
      () => server.changes.listenerCount(topic) >= count,
      5000,
      () => `${topic} has ${server.changes.listenerCount(topic)} listeners, expected ${count}`,
    );

  before(async () => {
    database = await createTestDatabase("pglite");
    server = await startTestServer(database, testConfig(), { tokenRecheckMs: 100 });
    setup = await seedSetup(database);
  });

  after(async () => {
    for (const client of clients) await client.dispose();
    await server.close();
    await database.close();
  });

  test("weekUpdated receives only its collection", async () => {
    const a = await seedCollection(database, setup, { name: "A" });
    const b = await seedCollection(database, setup, { name: "B" });
    const client = connect();
    const subscription = subscribe(client, weekUpdated, {
      id: encodeGlobalID("Collection", a.collection.id),
    });
    await registered(`week:${a.collection.id}`);
    await changeWeek(database.prisma, b.weeks[0]!, { status: "RUNNING" });
    await changeWeek(database.prisma, a.weeks[1]!, { status: "RUNNING" });
    const [event] = await subscription.waitForEvents(1);
    assert.equal(event!.weekUpdated.id, encodeGlobalID("Week", a.weeks[1]!.id));
    assert.equal(event!.weekUpdated.status, "RUNNING");
    assert.equal(event!.weekUpdated.collection.name, "A");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(subscription.events.length, 1, JSON.stringify(subscription.events));
    subscription.unsubscribe();
  });

  test("weekUpdated versions only increase", async () => {
    const { collection, weeks } = await seedCollection(database, setup);
    const client = connect();
    const subscription = subscribe(client, weekUpdated, {
      id: encodeGlobalID("Collection", collection.id),
    });
    await registered(`week:${collection.id}`);
    let last = weeks[0]!;
    for (let attempt = 1; attempt <= 20; attempt += 1) {
      last = await changeWeek(database.prisma, weeks[0]!, { attempts: attempt });
    }
    // A stale event, as a late notification from another replica would be.
    await database.prisma.$transaction((tx) =>
      notifyChange(tx, {
        type: "week",
        id: last.id,
        collectionId: collection.id,
        version: 2,
        status: "PENDING",
      }),
    );
    await waitUntil(() => subscription.events.at(-1)?.weekUpdated.version === last.version);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const versions = subscription.events.map((event) => event.weekUpdated.version as number);
    for (let index = 1; index < versions.length; index += 1) {
      assert.ok(
        versions[index]! > versions[index - 1]!,
        `versions out of order: ${versions.join(", ")}`,
      );
    }
    assert.equal(versions.at(-1), last.version);
    subscription.unsubscribe();
  });

  test("collectionUpdated follows status, progress and deletion", async () => {
    const { collection, weeks } = await seedCollection(database, setup, { weekCount: 2 });
    const id = encodeGlobalID("Collection", collection.id);
    const client = connect();
    const subscription = subscribe(client, collectionUpdated, { id });
    const list = subscribe(client, `subscription { collectionsUpdated { id deleted } }`);
    await registered(`collection:${collection.id}`);
    await registered("collections");
    await changeWeek(database.prisma, weeks[0]!, { status: "RUNNING" });
    const [progress] = await subscription.waitForEvents(1);
    assert.equal(progress!.collectionUpdated.collection.progress.running, 1);
    await database.prisma.$transaction(async (tx) => {
      const updated = await tx.collection.update({
        where: { id: collection.id },
        data: { status: "PAUSED", version: { increment: 1 } },
      });
      await notifyChange(tx, {
        type: "collection",
        id: updated.id,
        version: updated.version,
        status: "PAUSED",
      });
    });
    const paused = (await subscription.waitForEvents(2))[1]!;
    assert.equal(paused.collectionUpdated.collection.status, "PAUSED");
    await database.prisma.$transaction(async (tx) => {
      await tx.collection.delete({ where: { id: collection.id } });
      await notifyChange(tx, { type: "collectionDeleted", id: collection.id });
    });
    const deleted = (await subscription.waitForEvents(3))[2]!;
    assert.deepEqual(deleted.collectionUpdated, { id, deleted: true, collection: null });
    await list.waitForEvents(3);
    assert.deepEqual(list.events.at(-1), { collectionsUpdated: { id, deleted: true } });
    subscription.unsubscribe();
    list.unsubscribe();
  });

  test("rolled back changes send nothing", async () => {
    const { collection, weeks } = await seedCollection(database, setup);
    const client = connect();
    const subscription = subscribe(client, weekUpdated, {
      id: encodeGlobalID("Collection", collection.id),
    });
    await registered(`week:${collection.id}`);
    await assert.rejects(
      database.prisma.$transaction(async (tx) => {
        await notifyChange(tx, {
          type: "week",
          id: weeks[0]!.id,
          collectionId: collection.id,
          version: 99,
          status: "FAILED",
        });
        throw new Error("roll back");
      }),
    );
    await changeWeek(database.prisma, weeks[1]!, { status: "RUNNING" });
    await subscription.waitForEvents(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(
      subscription.events.map((event) => event.weekUpdated.id),
      [encodeGlobalID("Week", weeks[1]!.id)],
    );
    subscription.unsubscribe();
  });

  test("client resubscribes after reconnecting", async () => {
    const { collection, weeks } = await seedCollection(database, setup);
    let connections = 0;
    const client = connect(tokens.viewer, {
      retryAttempts: 5,
      shouldRetry: () => true,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 50)),
      on: { connected: () => (connections += 1) },
    });
    const subscription = subscribe(client, weekUpdated, {
      id: encodeGlobalID("Collection", collection.id),
    });
    await registered(`week:${collection.id}`);
    await changeWeek(database.prisma, weeks[0]!, { status: "RUNNING" });
    await subscription.waitForEvents(1);
    server.dropConnections();
    await waitUntil(() => connections === 2);
    await registered(`week:${collection.id}`);
    await changeWeek(database.prisma, weeks[0]!, { status: "SUCCESS" });
    const events = await subscription.waitForEvents(2);
    assert.equal(events[1]!.weekUpdated.status, "SUCCESS");
    subscription.unsubscribe();
  });

  test("subscribing to an unknown collection fails", async () => {
    const client = connect();
    const subscription = subscribe(client, weekUpdated, {
      id: encodeGlobalID("Collection", "00000000-0000-4000-8000-000000000000"),
    });
    await waitUntil(() => subscription.errors.length > 0);
    assert.match(JSON.stringify(subscription.errors), /NOT_FOUND/);
  });

  test("too deep subscription gets QUERY_TOO_DEEP", async () => {
    const { collection } = await seedCollection(database, setup);
    const deep = `subscription ($id: ID!) { weekUpdated(collectionId: $id) { collection { weeks {
      edges { node { collection { weeks { edges { node { collection { weeks { edges { node {
      id } } } } } } } } } } } } } }`;
    const subscription = subscribe(connect(), deep, {
      id: encodeGlobalID("Collection", collection.id),
    });
    await waitUntil(() => subscription.errors.length > 0);
    // graphql-ws passes the operation's errors to `error` as one array.
    const [error] = subscription.errors.flat() as {
      message: string;
      extensions?: { code?: string };
    }[];
    assert.equal(error?.extensions?.code, "QUERY_TOO_DEEP", JSON.stringify(subscription.errors));
    assert.match(error!.message, /more than the maximum of 12/);
  });

  test("connection without a token is refused", async () => {
    let closeCode = 0;
    const client = connect(null, { on: { closed: (event: any) => (closeCode = event.code) } });
    const subscription = subscribe(client, `subscription { collectionsUpdated { id } }`);
    await waitUntil(() => subscription.errors.length > 0);
    assert.equal(closeCode, 4403);
  });

  test("revoked token closes its connection", async () => {
    const { token, info } = await createApiToken(database.prisma, { name: "ws", role: "VIEWER" });
    let closeCode = 0;
    const client = connect(token, { on: { closed: (event: any) => (closeCode = event.code) } });
    const subscription = subscribe(client, `subscription { collectionsUpdated { id } }`);
    await waitUntil(() => server.subscriptionCount() > 0);
    await database.prisma.apiToken.update({
      where: { id: info.id },
      data: { revokedAt: new Date() },
    });
    await waitUntil(
      () => closeCode !== 0,
      5000,
      () => "the connection stayed open",
    );
    assert.equal(closeCode, 4403);
    subscription.unsubscribe();
  });

  test("1,000 subscriptions free their listeners", async () => {
    const { collection } = await seedCollection(database, setup);
    const id = encodeGlobalID("Collection", collection.id);
    // Earlier tests unsubscribed everything; removal is asynchronous, so wait for it.
    await waitUntil(() => server.changes.listenerCount() === 0 && server.subscriptionCount() === 0);
    // A loaded machine can delay a handshake past graphql-ws's timeouts, so clients retry.
    const retrying = { retryAttempts: 5, shouldRetry: () => true };
    // 500 distinct operations on one connection, each with its own execution and listener.
    const single = connect(tokens.viewer, retrying);
    const distinct = Array.from({ length: 500 }, (_, index) =>
      subscribe(
        single,
        `subscription ($id: ID!) { w${index}: weekUpdated(collectionId: $id) { id } }`,
        {
          id,
        },
      ),
    );
    // 500 identical operations on five connections, sharing one execution.
    const pooled = Array.from({ length: 5 }, () => connect(tokens.viewer, retrying));
    const shared = pooled.flatMap((client) =>
      Array.from({ length: 100 }, () => subscribe(client, collectionUpdated, { id })),
    );
    const failures = () =>
      [...distinct, ...shared].flatMap((subscription) => subscription.errors).slice(0, 3);
    await waitUntil(
      () => server.subscriptionCount() === 1000,
      30_000,
      () => `subscriptions: ${server.subscriptionCount()}, errors ${JSON.stringify(failures())}`,
    );
    await registered(`week:${collection.id}`, 500);
    assert.equal(server.changes.listenerCount(`collection:${collection.id}`), 1);
    assert.equal(server.changes.listenerCount(), 501);

    for (const subscription of distinct) subscription.unsubscribe();
    for (const client of pooled) await client.dispose();
    await waitUntil(
      () => server.changes.listenerCount() === 0 && server.subscriptionCount() === 0,
      10_000,
      () =>
        `listeners: ${server.changes.listenerCount()}, subscriptions ${server.subscriptionCount()}`,
    );
  });

  test("shared subscribers all receive events", async () => {
    const { collection, weeks } = await seedCollection(database, setup);
    const id = encodeGlobalID("Collection", collection.id);
    const subscriptions = Array.from({ length: 3 }, () =>
      subscribe(connect(), weekUpdated, { id }),
    );
    await waitUntil(() => server.subscriptionCount() >= 3);
    assert.equal(server.changes.listenerCount(`week:${collection.id}`), 1);
    await changeWeek(database.prisma, weeks[0]!, { status: "RUNNING" });
    for (const subscription of subscriptions) {
      const [event] = await subscription.waitForEvents(1);
      assert.equal(event!.weekUpdated.status, "RUNNING");
    }
    subscriptions[0]!.unsubscribe();
    await waitUntil(() => server.subscriptionCount() === 2);
    await changeWeek(database.prisma, weeks[0]!, { status: "SUCCESS" });
    await subscriptions[1]!.waitForEvents(2);
    await subscriptions[2]!.waitForEvents(2);
    assert.equal(subscriptions[0]!.events.length, 1);
    subscriptions[1]!.unsubscribe();
    subscriptions[2]!.unsubscribe();
  });
});

describe("subscriptions through the server process", () => {
  let app: App;

  before(async () => {
    const database = await createTestDatabase("pglite");
    app = await startApp({ config: testConfig(), logger: testLogger, database });
  });

  after(async () => {
    await app.stop();
  });

  /** Opens a raw WebSocket with an Origin header and returns the HTTP status of the upgrade. */
  const upgradeStatus = (origin: string) =>
    new Promise<number>((resolve) => {
      const socket = new WebSocket(
        `${app.url.replace("http", "ws")}/graphql`,
        "graphql-transport-ws",
        {
          headers: { origin },
        },
      );
      socket.on("open", () => {
        socket.close();
        resolve(101);
      });
      socket.on("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      socket.on("error", () => {});
    });

  test("upgrade from unlisted origin refused", async () => {
    assert.equal(await upgradeStatus("http://attacker.test"), 403);
    assert.equal(await upgradeStatus("http://localhost:3000"), 101);
  });

  test("subscription works on the app's port", async () => {
    const client = connectClient(`${app.url.replace("http", "ws")}/graphql`, tokens.viewer);
    const result = await new Promise<any>((resolve, reject) => {
      let value: unknown;
      client.subscribe(
        { query: "{ viewer { role } }" },
        { next: (data) => (value = data), error: reject, complete: () => resolve(value) },
      );
    });
    assert.deepEqual(result.data, { viewer: { role: "VIEWER" } });
    await client.dispose();
  });
});
