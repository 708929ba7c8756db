import { Registry, collectDefaultMetrics } from "prom-client";

// Prometheus metrics of the process. Each part defines its own counters and gauges in its own
// file, registered here with `registers: [metricsRegistry]`, and /metrics serves the registry.

/** Registry of every metric this process exposes. */
export const metricsRegistry = new Registry();

collectDefaultMetrics({ register: metricsRegistry, prefix: "amc_collections_" });
