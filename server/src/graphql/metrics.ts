import { Gauge } from "prom-client";
import { metricsRegistry } from "../metrics.ts";

/** Counts of the process's open GraphQL WebSockets, read at scrape time. */
export interface WebSocketCounts {
  connectionCount(): number;
  subscriptionCount(): number;
}

/**
 * Registers gauges of open WebSocket connections and subscriptions. A later app in the same
 * process (tests start several) replaces the gauges of the earlier one.
 */
export function registerWebSocketMetrics(counts: WebSocketCounts): void {
  const gauges = [
    {
      name: "amc_collections_graphql_ws_connections",
      help: "Open GraphQL WebSocket connections.",
      read: () => counts.connectionCount(),
    },
    {
      name: "amc_collections_graphql_subscriptions",
      help: "Distinct running GraphQL subscriptions; identical ones share one.",
      read: () => counts.subscriptionCount(),
    },
  ];
  for (const { name, help, read } of gauges) {
    metricsRegistry.removeSingleMetric(name);
    new Gauge({
      name,
      help,
      registers: [metricsRegistry],
      collect() {
        this.set(read());
      },
    });
  }
}
