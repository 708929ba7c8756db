import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { GraphQLError, type ExecutionArgs } from "graphql";
import type { ServerOptions } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import type { AccessControl } from "../auth/access-control.ts";
import type { Viewer } from "../auth/roles.ts";
import type { Logger } from "../logger.ts";
import { SharedSubscriptions } from "./shared-subscriptions.ts";
import { SocketSubscriber, SubscriberConnection } from "./socket-subscriber.ts";
import { authenticate, GRAPHQL_PATH, tokenOf, type GraphQLServer } from "./yoga.ts";

// GraphQL over WebSockets (the graphql-ws protocol) on the HTTP server's port and path. Upgrades
// from browser origins not on the allow-list are rejected, because any page a browser opens can
// reach a loopback server. The token in the connection parameters is checked when the
// connection opens and every 30 s after, and a connection whose token was revoked is closed.
// Every operation runs through yoga's envelop, so limits, error masking and the context are the
// same as over HTTP.

/** Largest message a client may send, in bytes; operations are small. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Interval of WebSocket pings that detect dead connections, in milliseconds. */
const KEEP_ALIVE_MS = 12_000;

/** Interval at which the tokens of open connections are checked again, in milliseconds. */
const TOKEN_RECHECK_MS = 30_000;

/** The WebSocket endpoint, attached to an HTTP server's upgrade event. */
export interface GraphQLWebSocket {
  /** Takes over upgrades of GRAPHQL_PATH; returns false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Number of open WebSocket connections. */
  connectionCount(): number;
  /** Number of active subscriptions over all connections. */
  subscriptionCount(): number;
  close(): Promise<void>;
}

/** Options of the WebSocket endpoint. */
export interface GraphQLWebSocketOptions {
  yoga: GraphQLServer;
  access: AccessControl;
  allowedOrigins: string[];
  logger: Logger;
  /** How often open connections' tokens are checked again; revoked ones are closed. */
  tokenRecheckMs?: number;
}

type ConnectionExtra = { viewer?: Viewer; subscriberConnection?: SubscriberConnection };

/** An open, authenticated connection and the token it presented. */
interface OpenConnection {
  socket: WebSocket;
  token: string | undefined;
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Creates the endpoint; nothing listens until its handleUpgrade is attached. */
export function createGraphQLWebSocket(options: GraphQLWebSocketOptions): GraphQLWebSocket {
  const { yoga, access, logger } = options;
  const allowedOrigins = new Set(options.allowedOrigins);
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  const shared = new SharedSubscriptions();
  const openConnections = new Set<OpenConnection>();

  // A token revoked while its connection is open ends the connection at the next check, on
  // every replica, because each one checks its own connections against the database.
  const recheckTokens = async () => {
    const byToken = new Map<string | undefined, OpenConnection[]>();
    for (const connection of openConnections) {
      const list = byToken.get(connection.token) ?? [];
      list.push(connection);
      byToken.set(connection.token, list);
    }
    for (const [token, connections] of byToken) {
      try {
        await authenticate(access, token);
      } catch (error) {
        if (!(error instanceof GraphQLError)) {
          logger.warn(
            { err: error },
            "checking the tokens of open WebSockets failed; retrying later",
          );
          return;
        }
        logger.info(
          { connections: connections.length, reason: error.message },
          "closing WebSocket connections whose token is no longer valid",
        );
        for (const connection of connections) {
          openConnections.delete(connection);
          connection.socket.close(4403, "Forbidden: the API token was revoked");
        }
      }
    }
  };
  const recheckTimer = setInterval(
    () => void recheckTokens(),
    options.tokenRecheckMs ?? TOKEN_RECHECK_MS,
  );
  recheckTimer.unref();

  const disposable = useServer<Record<string, unknown>, ConnectionExtra>(
    {
      onConnect: async (context) => {
        try {
          const token = tokenOf({ connectionParams: context.connectionParams ?? {} } as never);
          context.extra.viewer = await authenticate(access, token);
          const connection = { socket: context.extra.socket, token };
          openConnections.add(connection);
          context.extra.socket.once("close", () => openConnections.delete(connection));
          return true;
        } catch (error) {
          if (error instanceof GraphQLError) {
            logger.info({ reason: error.message }, "WebSocket connection rejected");
          } else {
            logger.error({ err: error }, "WebSocket connection failed while checking its token");
          }
          return false;
        }
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      // NOTE: subscription results go to the socket through SocketSubscriber, not through
      // graphql-ws, so the onNext and jsonMessageReplacer options would not apply to them.
      subscribe: (args) => {
        const root = args.rootValue as EnvelopedRoot;
        return shared.subscribe(
          root.shareKey,
          async () => root.subscribe(args),
          root.subscriber,
        ) as never;
      },
      onSubscribe: async (context, id, params) => {
        const enveloped = yoga.getEnveloped({
          request: undefined,
          viewer: context.extra.viewer,
          connectionParams: context.connectionParams,
          params,
        });
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          operationName: params.operationName,
          document: enveloped.parse(params.query),
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: {
            execute: enveloped.execute,
            subscribe: enveloped.subscribe,
            shareKey: JSON.stringify([
              context.extra.viewer?.role,
              params.query,
              params.operationName ?? null,
              params.variables ?? {},
            ]),
            subscriber: new SocketSubscriber(
              (context.extra.subscriberConnection ??= new SubscriberConnection(
                context.extra.socket,
                context.extra.request.socket,
              )),
              id,
              () => id in context.subscriptions,
            ),
          } satisfies EnvelopedRoot,
        };
        const errors = enveloped.validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wsServer,
    KEEP_ALIVE_MS,
  );

  return {
    handleUpgrade(req, socket, head) {
      const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
      if (pathname !== GRAPHQL_PATH) return false;
      const origin = req.headers.origin;
      // Non-browser clients send no Origin; they authenticate with a token like HTTP callers.
      if (origin !== undefined && !allowedOrigins.has(origin)) {
        logger.warn({ origin }, "WebSocket upgrade rejected: origin is not in ALLOWED_ORIGINS");
        rejectUpgrade(socket, 403, "Forbidden");
        return true;
      }
      wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit("connection", ws, req));
      return true;
    },
    connectionCount: () => wsServer.clients.size,
    subscriptionCount: () => shared.size,
    close: async () => {
      clearInterval(recheckTimer);
      for (const client of wsServer.clients) client.close(1001, "Server shutting down");
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

/** Root value of WebSocket operations: yoga's enveloped functions and the sharing key. */
interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
  /** Subscriptions with equal keys share one execution (see ./shared-subscriptions.ts). */
  shareKey: string;
  /** Receiver of a subscription's results; graphql-ws itself sends only its end or errors. */
  subscriber: SocketSubscriber;
}

type OperationResult = ReturnType<NonNullable<ServerOptions["execute"]>>;
