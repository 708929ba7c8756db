import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createClient, type Client, type ClientOptions } from "graphql-ws";
import WebSocket from "ws";
import { createAccessControl } from "../../src/auth/access-control.ts";
import type { Config } from "../../src/config.ts";
import type { Database } from "../../src/db/database.ts";
import { startChangeBus, type ChangeBus } from "../../src/events/change-bus.ts";
import { notifyChange } from "../../src/events/notify.ts";
import type { PrismaClient, Week } from "../../src/generated/prisma/client.ts";
import { loadSchema } from "../../src/graphql/schema.ts";
import { createGraphQLWebSocket } from "../../src/graphql/websocket.ts";
import { createGraphQLServer } from "../../src/graphql/yoga.ts";
import { testConfig, testLogger, testSecretKey } from "./support.ts";

// A real HTTP and WebSocket server on loopback for subscription tests, with its change bus
// exposed so that tests can wait until a subscription is registered.

/** A GraphQL server listening on a loopback port. */
export interface TestServer {
  /** ws:// URL of the GraphQL endpoint. */
  wsUrl: string;
  changes: ChangeBus;
  /** Number of active subscriptions over WebSockets. */
  subscriptionCount(): number;
  /** Destroys every open socket, as a network failure would. */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Starts the GraphQL API over HTTP and WebSockets on 127.0.0.1 and a free port. */
export async function startTestServer(
  database: Database,
  config: Config = testConfig(),
  options: { tokenRecheckMs?: number } = {},
): Promise<TestServer> {
  const access = await createAccessControl(config, database.prisma, testLogger);
  const changes = await startChangeBus(database, testLogger);
  const yoga = createGraphQLServer({
    schema: await loadSchema(),
    services: {
      prisma: database.prisma,
      logger: testLogger,
      changes,
      secretKey: testSecretKey,
      maxWeeksPerCollection: config.collections.maxWeeks,
    },
    access,
    allowedOrigins: config.allowedOrigins,
    graphiql: false,
  });
  const webSocket = createGraphQLWebSocket({
    yoga,
    access,
    allowedOrigins: config.allowedOrigins,
    logger: testLogger,
    ...options,
  });
  const server: Server = createServer((req, res) => void yoga.requestListener(req, res));
  server.on("upgrade", (req, socket, head) => {
    if (!webSocket.handleUpgrade(req, socket, head)) socket.destroy();
  });
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    changes,
    subscriptionCount: () => webSocket.subscriptionCount(),
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      await webSocket.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await changes.stop();
    },
  };
}

/** Opens a graphql-ws client with the `ws` package, as Node 20 has no global WebSocket. */
export function connectClient(
  url: string,
  token: string | null,
  options: Partial<ClientOptions> = {},
): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    ...options,
  });
}

/** Events of one subscription, collected as they arrive. */
export interface Subscription<T> {
  events: T[];
  errors: unknown[];
  /** Resolves when at least `count` events arrived; rejects after `timeoutMs`. */
  waitForEvents(count: number, timeoutMs?: number): Promise<T[]>;
  unsubscribe(): void;
}

/** Subscribes and collects the `data` of every event. */
export function subscribe<T = Record<string, any>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Subscription<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) events.push(result.data as T);
      },
      error: (error) => errors.push(error),
      complete: () => {},
    },
  );
  return {
    events,
    errors,
    unsubscribe,
    waitForEvents: (count, timeoutMs = 5000) =>
      waitUntil(
        () => events.length >= count || errors.length > 0,
        timeoutMs,
        () =>
          `expected ${count} events, got ${events.length}: ${JSON.stringify(events)} errors ${JSON.stringify(errors)}`,
      ).then(() => {
        if (errors.length > 0) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
        return events;
      }),
  };
}

/** Polls `condition` every 5 ms until it holds; rejects with `describe()` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs = 5000,
  describe: () => string = () => "condition not met",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Changes a week as the scheduler does: bumps its version and sends its change event. */
export async function changeWeek(
  prisma: PrismaClient,
  week: Pick<Week, "id" | "collectionId">,
  data: { status?: Week["status"]; attempts?: number } = {},
): Promise<Week> {
  return prisma.$transaction(async (tx) => {
    const updated = await tx.week.update({
      where: { id: week.id },
      data: { ...data, version: { increment: 1 } },
    });
    await notifyChange(tx, {
      type: "week",
      id: updated.id,
      collectionId: updated.collectionId,
      version: updated.version,
      status: updated.status,
    });
    return updated;
  });
}
