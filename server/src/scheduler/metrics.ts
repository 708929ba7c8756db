import { Counter, Gauge, Histogram } from "prom-client";
import { metricsRegistry } from "../metrics.ts";

// Prometheus metrics of the scheduler.

/** Weeks claimed, labelled by how: a new attempt or a takeover of an expired lease. */
export const weeksClaimedTotal = new Counter({
  name: "amc_collections_scheduler_weeks_claimed_total",
  help: "Weeks claimed by this process.",
  labelNames: ["how"] as const,
  registers: [metricsRegistry],
});

/** Executions created at AMC. */
export const executionsSubmittedTotal = new Counter({
  name: "amc_collections_scheduler_executions_submitted_total",
  help: "Executions this process created at AMC.",
  registers: [metricsRegistry],
});

/** Executions whose create call had an unknown outcome and that were found again by listing. */
export const executionsRecoveredTotal = new Counter({
  name: "amc_collections_scheduler_executions_recovered_total",
  help: "Executions found at AMC by listing after a create call with an unknown outcome.",
  registers: [metricsRegistry],
});

/** Saved workflows of finished weeks handled at AMC, labelled by outcome: deleted, gone or rejected. */
export const savedWorkflowsCleanedTotal = new Counter({
  name: "amc_collections_scheduler_saved_workflows_cleaned_total",
  help: "Saved workflows of finished weeks that this process deleted at AMC, found gone, or had rejected.",
  labelNames: ["outcome"] as const,
  registers: [metricsRegistry],
});

/** Finished week attempts, labelled by outcome. */
export const weeksFinishedTotal = new Counter({
  name: "amc_collections_scheduler_weeks_finished_total",
  help: "Week attempts finished by this process.",
  labelNames: ["outcome"] as const,
  registers: [metricsRegistry],
});

/** AMC calls retried after a throttled or transient fault, labelled by fault kind. */
export const amcStepRetriesTotal = new Counter({
  name: "amc_collections_scheduler_amc_retries_total",
  help: "Scheduler steps retried after an AMC fault.",
  labelNames: ["kind"] as const,
  registers: [metricsRegistry],
});

/** Executions cancelled at AMC because their week or collection was cancelled. */
export const executionsCancelledTotal = new Counter({
  name: "amc_collections_scheduler_executions_cancelled_total",
  help: "Executions this process cancelled at AMC.",
  registers: [metricsRegistry],
});

/** Week runners in progress in this process. */
export const activeRunners = new Gauge({
  name: "amc_collections_scheduler_active_runners",
  help: "Weeks this process is running now.",
  registers: [metricsRegistry],
});

/** Duration of one loop iteration: a claim, and the sweeps when they are due. */
export const loopDurationSeconds = new Histogram({
  name: "amc_collections_scheduler_loop_duration_seconds",
  help: "Duration of one scheduler loop iteration (claim plus due sweeps), in seconds.",
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});
