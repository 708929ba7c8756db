import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { amcClientOptionsFromConfig, createAmcClient, type AmcHttpClient } from "./amc/client.ts";
import type { Config } from "./config.ts";
import { openDatabase, type Database } from "./db/database.ts";
import { loadSecretKey } from "./db/secrets.ts";
import { sandboxComponent } from "./demo/component.ts";
import { createGraphQLComponent } from "./graphql/component.ts";
import { exportComponent } from "./http/export.ts";
import { isAllowedHostHeader } from "./http/host-check.ts";
import { metricsComponent } from "./http/metrics.ts";
import type { Logger } from "./logger.ts";
import { resultRetentionComponent } from "./results/retention-component.ts";
import { schedulerComponent } from "./scheduler/component.ts";
import { rollingWeeksComponent } from "./domain/rolling-component.ts";
import { listen, trackSockets } from "./http/server-utils.ts";

// The server process: opens and migrates the database, then serves HTTP. Later parts (GraphQL,
// the scheduler, the AMC sandbox) attach to the same process through `routes`, `readiness`
// checks and `stoppers`, so that one `stop` shuts everything down in reverse order.

/** Handles a request and returns true, or returns false to let the next route try. */
export type Route = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** A running server process. */
export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly secretKey: Buffer;
  readonly server: Server;
  /** Base URL of the HTTP server, for example http://127.0.0.1:4000. */
  readonly url: string;
  /** Stops the server and everything attached to it; calling it again is safe. */
  stop(): Promise<void>;
}

/** Options for starting the server process. */
export interface AppOptions {
  config: Config;
  logger: Logger;
  /** An already open database; tests pass one cloned from a migrated template. */
  database?: Database;
  /** Extra components, attached after the built-in ones; tests use this. */
  components?: Component[];
}

/**
 * Takes over an HTTP upgrade request (WebSockets) and returns true, or returns false to let the
 * next handler try. Upgrades that no handler takes are rejected.
 */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

/** Named check behind `/ready`; it rejects or returns false when the process is not ready. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

/** Mutable parts of the process that components attach to while it starts. */
export interface AppParts {
  routes: Route[];
  upgrades: UpgradeHandler[];
  readiness: ReadinessCheck[];
  /** Called in reverse order on stop, before the database closes. */
  stoppers: (() => Promise<void>)[];
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function createHealthRoutes(parts: AppParts): Route {
  return async (req, res) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname === "/health") {
      sendJson(res, 200, { status: "ok" });
      return true;
    }
    if (pathname !== "/ready") return false;
    const results: Record<string, boolean> = {};
    for (const { name, check } of parts.readiness) {
      results[name] = await check().catch(() => false);
    }
    const ready = Object.values(results).every(Boolean);
    sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "not ready", checks: results });
    return true;
  };
}

/** Context given to each component while the process starts. */
export interface ComponentContext {
  config: Config;
  logger: Logger;
  database: Database;
  /** AES-256 key for stored account credentials. */
  secretKey: Buffer;
  /**
   * The process's one AMC client, so that its token cache, per-account rate limit, throttling
   * state and response-time figures cover every AMC call the process makes.
   */
  amc: AmcHttpClient;
  parts: AppParts;
}

/**
 * Parts of the process, attached in this order after migrations. Each adds its routes,
 * readiness checks and stop steps to `parts`.
 */
export type Component = (context: ComponentContext) => Promise<void>;

const components: Component[] = [
  metricsComponent,
  createGraphQLComponent(),
  exportComponent,
  resultRetentionComponent,
  sandboxComponent,
  schedulerComponent,
  rollingWeeksComponent,
];

/** Opens and migrates the database, attaches the components, then starts the HTTP server. */
export async function startApp(options: AppOptions): Promise<App> {
  const { config, logger } = options;
  const secretKey = loadSecretKey(config);
  const amc = createAmcClient(amcClientOptionsFromConfig(config, logger));
  const database = options.database ?? (await openDatabase(config.database));
  logger.info({ database: database.description }, "database opened");
  const applied = await database.migrate();
  if (applied.length > 0) logger.info({ migrations: applied }, "migrations applied");

  const parts: AppParts = {
    routes: [],
    upgrades: [],
    readiness: [
      { name: "database", check: () => database.ping().then(() => true) },
      { name: "migrations", check: () => database.isMigrated() },
    ],
    stoppers: [],
  };
  parts.routes.push(createHealthRoutes(parts));
  for (const attach of [...components, ...(options.components ?? [])]) {
    await attach({ config, logger, database, secretKey, amc, parts });
  }

  const server = createServer((req, res) => {
    if (!isAllowedHostHeader(req, config.host)) {
      logger.warn(
        { host: req.headers.host, path: req.url },
        "request rejected: Host is not loopback",
      );
      sendJson(res, 421, { error: `Host "${req.headers.host ?? ""}" is not served here.` });
      return;
    }
    void handleRequest(parts.routes, req, res, logger);
  });
  server.on("upgrade", (req, socket, head) => {
    if (!isAllowedHostHeader(req, config.host)) {
      logger.warn({ host: req.headers.host }, "WebSocket upgrade rejected: Host is not loopback");
      socket.end("HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\n\r\n");
      return;
    }
    if (!parts.upgrades.some((handle) => handle(req, socket, head))) socket.destroy();
  });
  const sockets = trackSockets(server);
  const address = await listen(server, config.port, config.host);
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url }, "server listening");

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info("server stopping");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const stopper of [...parts.stoppers].reverse()) {
        await stopper().catch((error: unknown) => logger.error({ err: error }, "stop step failed"));
      }
      server.closeIdleConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
      await database.close();
      logger.info("server stopped");
    })();
    return stopping;
  };

  return { config, logger, database, secretKey, server, url, stop };
}

async function handleRequest(
  routes: Route[],
  req: IncomingMessage,
  res: ServerResponse,
  logger: Logger,
): Promise<void> {
  try {
    for (const route of routes) {
      if (await route(req, res)) return;
    }
    sendJson(res, 404, { error: "not found", path: req.url });
  } catch (error) {
    logger.error({ err: error, path: req.url }, "request failed");
    if (!res.headersSent) sendJson(res, 500, { error: "internal server error" });
    else res.destroy();
  }
}
