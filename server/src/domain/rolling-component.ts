import type { Component } from "../app.ts";
import { appendRollingWeeks } from "./rolling.ts";

/**
 * Time between passes that append finished weeks to ROLLING collections. A week finishes once
 * a week, and its data is ready 48 hours later, so a few minutes of delay cost nothing.
 */
const appendIntervalMs = 10 * 60 * 1000;

/**
 * Appends finished weeks to ROLLING collections once at start and then every 10 minutes, on
 * processes that run the scheduler. Replicas may overlap: appendRollingWeeks locks each
 * collection, so a week is appended once.
 */
export const rollingWeeksComponent: Component = async ({ config, logger, database, parts }) => {
  if (!config.scheduler.enabled) return;
  const rollingLogger = logger.child({ component: "rolling-weeks" });
  let running: Promise<unknown> = Promise.resolve();
  // Passes run one after another, even when one outlasts the interval.
  const runPass = () => {
    running = running
      .then(async () => {
        const appended = await appendRollingWeeks(database.prisma, new Date());
        if (appended > 0) rollingLogger.info({ appended }, `appended ${appended} rolling week(s)`);
      })
      .catch((error: unknown) =>
        rollingLogger.error({ err: error }, "appending rolling weeks failed; next pass in 10 min"),
      );
  };
  runPass();
  const timer = setInterval(runPass, appendIntervalMs);
  timer.unref();
  parts.stoppers.push(async () => {
    clearInterval(timer);
    await running;
  });
};
