import { Gauge } from "prom-client";
import type { Component } from "../app.ts";
import { metricsRegistry } from "../metrics.ts";

const weekStatuses = ["PENDING", "RUNNING", "SUCCESS", "FAILED", "SKIPPED", "CANCELLED"] as const;

/** Serves the process's metrics in Prometheus' text format at /metrics. */
export const metricsComponent: Component = async ({ database, parts }) => {
  const weeksByStatus = new Gauge({
    name: "amc_collections_weeks",
    help: "Weeks by status, counted in the database at scrape time.",
    labelNames: ["status"],
    registers: [],
    async collect() {
      const counts = await database.prisma.week.groupBy({ by: ["status"], _count: { _all: true } });
      for (const status of weekStatuses) {
        const row = counts.find((count) => count.status === status);
        this.set({ status }, row?._count._all ?? 0);
      }
    },
  });
  const registry = metricsRegistry;
  // One process uses one database, so the gauge is registered once per process; a second app
  // in the same process (tests) replaces it.
  registry.removeSingleMetric("amc_collections_weeks");
  registry.registerMetric(weeksByStatus);

  parts.routes.push(async (req, res) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== "/metrics") return false;
    const body = await registry.metrics();
    res.writeHead(200, { "content-type": registry.contentType });
    res.end(body);
    return true;
  });
};
