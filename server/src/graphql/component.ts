import type { AmcInstanceStats } from "../amc/stats.ts";
import type { Component } from "../app.ts";
import { createAccessControl } from "../auth/access-control.ts";
import { startChangeBus } from "../events/change-bus.ts";
import { createAmcCanceller, mergeAmcStats } from "./amc-hooks.ts";
import type { GraphQLServices } from "./context.ts";
import { registerWebSocketMetrics } from "./metrics.ts";
import { loadSchema } from "./schema.ts";
import { createGraphQLWebSocket } from "./websocket.ts";
import { createGraphQLServer, GRAPHQL_PATH } from "./yoga.ts";

// The GraphQL API as a part of the server process: GraphQL over HTTP and WebSockets on
// /graphql, the change listener behind subscriptions, and a readiness check for it.

/** Options of the GraphQL component. */
export interface GraphQLComponentOptions {
  /**
   * Figures of AMC clients other than the process's shared one (tests use this), merged with
   * the shared client's figures, which cover the scheduler's calls.
   */
  amcApiStats?: () => AmcInstanceStats[];
}

/** Returns the component that serves the GraphQL API. */
export function createGraphQLComponent(options: GraphQLComponentOptions = {}): Component {
  return async ({ config, logger, database, secretKey, amc, parts }) => {
    const access = await createAccessControl(config, database.prisma, logger);
    const changes = await startChangeBus(database, logger.child({ component: "changes" }));
    parts.stoppers.push(() => changes.stop());
    const services: GraphQLServices = {
      prisma: database.prisma,
      logger,
      changes,
      secretKey,
      maxWeeksPerCollection: config.collections.maxWeeks,
      cancelAmcExecutions: createAmcCanceller(amc, database.prisma, secretKey, logger),
      amcApiStats: () => mergeAmcStats([amc.stats(), options.amcApiStats?.() ?? []]),
    };
    const yoga = createGraphQLServer({
      schema: await loadSchema(),
      services,
      access,
      allowedOrigins: config.allowedOrigins,
      graphiql: config.graphiql,
    });
    parts.routes.push(async (req, res) => {
      const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
      if (pathname !== GRAPHQL_PATH) return false;
      await yoga.requestListener(req, res);
      return true;
    });
    const webSocket = createGraphQLWebSocket({
      yoga,
      access,
      allowedOrigins: config.allowedOrigins,
      logger: logger.child({ component: "graphql-ws" }),
    });
    parts.upgrades.push((req, socket, head) => webSocket.handleUpgrade(req, socket, head));
    registerWebSocketMetrics(webSocket);
    parts.stoppers.push(() => webSocket.close());
    parts.readiness.push({ name: "changeListener", check: async () => changes.isListening() });
  };
}
