import type { Component } from "../app.ts";
import type { Config } from "../config.ts";
import { settleCollection } from "../domain/settle.ts";
import type { SchedulerSettings } from "./context.ts";
import { startScheduler } from "./scheduler.ts";

// The scheduler as a part of the server process: started after migrations when SCHEDULER is on,
// reported under /ready as "scheduler", and stopped before the database closes.

/** Returns the scheduler settings that the server's configuration sets. */
export function schedulerSettingsFromConfig(config: Config, timeScale = 1): SchedulerSettings {
  const { scheduler } = config;
  return {
    maxActiveCollections: scheduler.maxActiveCollections,
    maxRunningWeeksPerCollection: scheduler.maxRunningWeeksPerCollection,
    maxRunningPerInstance: scheduler.maxRunningPerInstance,
    maxAttempts: scheduler.maxAttempts,
    tickIntervalMs: scheduler.tickIntervalMs,
    leaseDurationMs: scheduler.leaseDurationMs,
    pollIntervalMinMs: scheduler.pollIntervalMinMs,
    pollIntervalMaxMs: scheduler.pollIntervalMaxMs,
    retryBaseDelayMs: scheduler.retryBaseDelayMs,
    retryMaxDelayMs: scheduler.retryMaxDelayMs,
    timeScale,
  };
}

/** Attaches the scheduler loop to the server process. */
export const schedulerComponent: Component = async ({
  config,
  logger,
  database,
  secretKey,
  amc,
  parts,
}) => {
  if (!config.scheduler.enabled) {
    logger.info("scheduler disabled (SCHEDULER=off)");
    return;
  }
  const scheduler = await startScheduler({
    database,
    amc,
    logger,
    secretKey,
    settings: schedulerSettingsFromConfig(config),
    settleCollection: (tx, collectionId) => settleCollection(tx, collectionId),
    // The embedded database's directory lock keeps every other process out.
    soleProcess: config.database.kind === "pglite",
  });
  parts.readiness.push({ name: "scheduler", check: async () => scheduler.isHealthy() });
  parts.stoppers.push(() => scheduler.stop());
};
