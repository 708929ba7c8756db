import { Counter, Histogram } from "prom-client";
import { metricsRegistry } from "../metrics.ts";

// Prometheus metrics of the AMC client, shared by every client instance in the process.

/** Latency of each HTTP attempt to AMC, by operation and status class (2xx, 4xx, network...). */
export const amcRequestDuration = new Histogram({
  name: "amc_collections_amc_request_duration_seconds",
  help: "Duration of AMC API requests in seconds, by operation and status class.",
  labelNames: ["operation", "status_class"] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

/** 429 responses from AMC, by AMC instance id. */
export const amcThrottledTotal = new Counter({
  name: "amc_collections_amc_throttled_total",
  help: "AMC API requests rejected with HTTP 429, by AMC instance id.",
  labelNames: ["instance"] as const,
  registers: [metricsRegistry],
});

/** Access tokens obtained from Login with Amazon. */
export const amcTokenRefreshesTotal = new Counter({
  name: "amc_collections_amc_token_refreshes_total",
  help: "Access tokens obtained from Login with Amazon with the refresh-token grant.",
  registers: [metricsRegistry],
});

/** AMC calls retried by the client, by AMC instance id and fault kind (throttled, transient). */
export const amcRetriesTotal = new Counter({
  name: "amc_collections_amc_retries_total",
  help: "AMC API calls retried after a throttled or transient fault, by AMC instance id and kind.",
  labelNames: ["instance", "kind"] as const,
  registers: [metricsRegistry],
});

/** Time spent waiting before retries, by AMC instance id and fault kind. */
export const amcRetryWaitSecondsTotal = new Counter({
  name: "amc_collections_amc_retry_wait_seconds_total",
  help: "Seconds AMC API calls waited before a retry (Retry-After or backoff), by AMC instance id and kind.",
  labelNames: ["instance", "kind"] as const,
  registers: [metricsRegistry],
});
