import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { SocketSubscriber, SubscriberConnection } from "../../src/graphql/socket-subscriber.ts";
import { waitUntil } from "./ws-support.ts";

// Writing shared results to a real WebSocket on loopback: the graphql-ws `next` message format,
// silence once the subscription is finished, and the bounded backlog of a client that reads
// slower than results arrive.

describe("socket subscriber", () => {
  let server: WebSocketServer;
  let url: string;
  const clients: WebSocket[] = [];

  before(async () => {
    server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const client of clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Opens a client; returns the server's end of it and the messages the client receives. */
  async function connect() {
    const accepted = new Promise<[WebSocket, IncomingMessage]>((resolve) =>
      server.once("connection", (socket, request) => resolve([socket, request])),
    );
    const client = new WebSocket(url);
    clients.push(client);
    const received: string[] = [];
    client.on("message", (data) => received.push(String(data)));
    await new Promise((resolve) => client.once("open", resolve));
    const [serverSocket, request] = await accepted;
    const connection = new SubscriberConnection(serverSocket, request.socket);
    return { serverSocket, connection, received };
  }

  test("sends graphql-ws next messages", async () => {
    const { connection, received } = await connect();
    const subscriber = new SocketSubscriber(connection, "sub-1", () => true);
    subscriber.send('{"data":{"weekUpdated":{"version":3}}}');
    await waitUntil(() => received.length === 1);
    assert.deepEqual(JSON.parse(received[0]!), {
      id: "sub-1",
      type: "next",
      payload: { data: { weekUpdated: { version: 3 } } },
    });
  });

  test("sends nothing once inactive", async () => {
    const { connection, received } = await connect();
    let active = false;
    const subscriber = new SocketSubscriber(connection, "sub-2", () => active);
    subscriber.send('{"data":{"value":1}}');
    active = true;
    subscriber.send('{"data":{"value":2}}');
    await waitUntil(() => received.length >= 1);
    // Messages on one socket arrive in order, so a sent first message would come first.
    assert.equal(JSON.parse(received[0]!).payload.data.value, 2);
  });

  test("subscriber waits for drain", async () => {
    const { serverSocket, connection, received } = await connect();
    // Another write, as graphql-ws's own messages are, fills the connection's write buffer.
    serverSocket.send("x".repeat(16 * 1024 * 1024));
    assert.equal(connection.hasRoom(), false);
    const subscriber = new SocketSubscriber(connection, "sub-5", () => true);
    subscriber.send('{"data":{"value":1}}');
    assert.equal(subscriber.backlogLength, 1);

    await waitUntil(
      () => received.length === 2,
      30_000,
      () => `received ${received.length}`,
    );
    assert.equal(received[0]!.length, 16 * 1024 * 1024);
    assert.equal(JSON.parse(received[1]!).id, "sub-5");
    assert.equal(subscriber.backlogLength, 0);
  });

  // The test sends synchronously, so the client, in this process, reads nothing meanwhile:
  // the kernel's socket buffers fill up first, then the backlog.
  const resultCount = 4000;
  const padding = "x".repeat(16 * 1024);
  const resultJson = (sequence: number) =>
    `{"data":{"sequence":${sequence},"padding":"${padding}"}}`;
  const sequenceOf = (message: string) => JSON.parse(message).payload.data.sequence as number;

  test("slow client loses its oldest results", async () => {
    const { connection, received } = await connect();
    const subscriber = new SocketSubscriber(connection, "sub-3", () => true);
    for (let sequence = 0; sequence < resultCount; sequence += 1) {
      subscriber.send(resultJson(sequence));
    }
    assert.equal(subscriber.backlogLength, 1000);

    await waitUntil(
      () => received.length > 0 && sequenceOf(received.at(-1)!) === resultCount - 1,
      30_000,
      () => `received ${received.length} messages`,
    );
    const sequences = received.map(sequenceOf);
    // The first results went straight to the socket. Of the rest, the newest 1,000 were kept.
    const direct = sequences.length - 1000;
    assert.ok(direct > 0, `no result went straight to the socket: ${sequences.length}`);
    assert.ok(direct < resultCount - 1000, `no result was dropped: ${sequences.length}`);
    const expected = [
      ...Array.from({ length: direct }, (_, index) => index),
      ...Array.from({ length: 1000 }, (_, index) => resultCount - 1000 + index),
    ];
    assert.deepEqual(sequences, expected);
    assert.equal(subscriber.backlogLength, 0);
  });

  test("subscribers share the connection", async () => {
    const { connection, received } = await connect();
    const flooding = new SocketSubscriber(connection, "sub-6", () => true);
    const quiet = new SocketSubscriber(connection, "sub-7", () => true);
    for (let sequence = 0; sequence < resultCount; sequence += 1) {
      flooding.send(resultJson(sequence));
    }
    quiet.send('{"data":{"value":1}}');
    assert.equal(quiet.backlogLength, 1);

    const idOf = (message: string) => JSON.parse(message).id as string;
    await waitUntil(() => received.some((message) => idOf(message) === "sub-7"), 30_000);
    assert.equal(quiet.backlogLength, 0);
    await waitUntil(
      () => received.some((message) => sequenceOf(message) === resultCount - 1),
      30_000,
    );
    assert.equal(flooding.backlogLength, 0);
  });

  test("finished subscriber drops its backlog", async () => {
    const { serverSocket, connection, received } = await connect();
    let active = true;
    const subscriber = new SocketSubscriber(connection, "sub-4", () => active);
    for (let sequence = 0; sequence < resultCount; sequence += 1) {
      subscriber.send(resultJson(sequence));
    }
    assert.equal(subscriber.backlogLength, 1000);
    active = false;
    // Written after the direct results, so it arrives after them and before any backlog.
    serverSocket.send("end");
    await waitUntil(() => received.includes("end"), 30_000);
    assert.equal(subscriber.backlogLength, 0);
    // Anything taken from the backlog is queued on the socket by now, so ahead of this.
    serverSocket.send("end 2");
    await waitUntil(() => received.includes("end 2"), 30_000);

    const end = received.indexOf("end");
    assert.deepEqual(received.slice(end), ["end", "end 2"]);
    const sequences = received.slice(0, end).map(sequenceOf);
    assert.deepEqual(
      sequences,
      Array.from({ length: sequences.length }, (_, index) => index),
    );
    assert.ok(sequences.length < resultCount - 1000, `backlog was sent: ${sequences.length}`);
  });
});
