import type { Component } from "../app.ts";
import { purgeResultRows } from "./retention.ts";

/** Time between retention passes. */
const retentionIntervalMs = 60 * 60 * 1000;
const dayMs = 24 * 60 * 60 * 1000;

/**
 * Deletes raw result rows older than RESULT_ROWS_RETENTION_DAYS once at start and then
 * hourly; does nothing when the setting is 0.
 */
export const resultRetentionComponent: Component = async ({ config, logger, database, parts }) => {
  const days = config.results.rowsRetentionDays;
  if (days === 0) return;
  const retentionLogger = logger.child({ component: "result-retention" });
  let running: Promise<unknown> = Promise.resolve();
  // Passes run one after another, even when one outlasts the interval.
  const runPass = () => {
    running = running
      .then(() =>
        purgeResultRows(database.prisma, new Date(Date.now() - days * dayMs), retentionLogger),
      )
      .catch((error: unknown) => retentionLogger.error({ err: error }, "retention pass failed"));
  };
  runPass();
  const timer = setInterval(runPass, retentionIntervalMs);
  timer.unref();
  retentionLogger.info({ retentionDays: days }, "result row retention started");
  parts.stoppers.push(async () => {
    clearInterval(timer);
    await running;
  });
};
