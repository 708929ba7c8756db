import type { Logger } from "../logger.ts";
import { splitCsv } from "./csv.ts";
import type { QueryRunner, SandboxExecution } from "./types.ts";

// The execution state machine of one sandbox:
//   PENDING -> RUNNING -> PUBLISHING -> SUCCEEDED | FAILED
// An execution stays PENDING until AMC's data for its window is complete (48 hours after the
// window ends) and one of the instance's RUNNING slots is free. Waiting executions start in
// arrival order. A RUNNING execution runs its SQL at once but ends no sooner than the
// configured duration after it started (the last fifth of it as PUBLISHING), and ends FAILED
// when its timeout passes first. A cancel call sets CANCELLED, and fault rules set REJECTED at
// creation.
// `advance` is synchronous and idempotent: it is called on every request, when a query
// finishes, and by a timer at the next time something is due.

const PUBLISHING_SHARE = 0.2;
/** setTimeout's largest delay. Longer waits are re-armed when the timer fires. */
const MAX_TIMER_MS = 2_147_483_647;

/** Settings and hooks of the lifecycle. */
export interface LifecycleOptions {
  clock: () => number;
  logger: Logger;
  runQuery: QueryRunner;
  maxRunningPerInstance: number;
  executionDurationMs: number;
  resultPartMaxBytes: number;
  /** Events before this many months ago are outside AMC's retention. */
  retentionMonths: number;
  onFinished(execution: SandboxExecution): void;
}

/** Moves executions through their statuses. */
export class Lifecycle {
  private readonly queues = new Map<string, SandboxExecution[]>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Highest number of executions RUNNING or PUBLISHING at once, per instance. */
  readonly maxRunning = new Map<string, number>();

  constructor(readonly options: LifecycleOptions) {}

  /** Registers a new execution at the end of its instance's queue. */
  enqueue(execution: SandboxExecution): void {
    let queue = this.queues.get(execution.instanceId);
    if (!queue) {
      queue = [];
      this.queues.set(execution.instanceId, queue);
    }
    queue.push(execution);
    // Started on the next turn, so that the create call still returns PENDING as AMC does.
    setImmediate(() => this.advance());
  }

  /** Executions RUNNING or PUBLISHING now on an instance. */
  runningCount(instanceId: string): number {
    const queue = this.queues.get(instanceId) ?? [];
    return queue.filter(isOccupyingSlot).length;
  }

  /** Instance ids with executions. */
  instanceIds(): string[] {
    return [...this.queues.keys()];
  }

  /** Applies every status change that is due now and arms the timer for the next one. */
  advance(): void {
    if (this.stopped) return;
    const now = this.options.clock();
    for (const [instanceId, queue] of this.queues) {
      for (const execution of queue) {
        if (isOccupyingSlot(execution)) this.advanceRunning(execution, now);
      }
      this.startPending(instanceId, queue, now);
      // Finished executions leave the queue. The store keeps them for reads.
      const active = queue.filter((execution) => isActive(execution));
      if (active.length !== queue.length) this.queues.set(instanceId, active);
    }
    this.armTimer(now);
  }

  /** Stops the timer. Running queries finish but change nothing. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private advanceRunning(execution: SandboxExecution, now: number): void {
    const startedMs = execution.startTimeMs!;
    const { executionDurationMs } = this.options;
    if (now >= startedMs + execution.timeoutSeconds * 1000) {
      this.finish(execution, now, "FAILED", timeoutReason(execution.timeoutSeconds));
      return;
    }
    const outcome = execution.outcome;
    if (!outcome) return;
    if (outcome.status !== "SUCCEEDED") {
      if (now >= startedMs + executionDurationMs) {
        this.finish(execution, now, outcome.status, outcome.reason);
      }
      return;
    }
    if (now >= startedMs + executionDurationMs) {
      execution.result = {
        columns: outcome.columns,
        rowCount: outcome.rows.length,
        parts: splitCsv(
          outcome.columns.map((column) => column.name),
          outcome.rows,
          this.options.resultPartMaxBytes,
        ),
      };
      this.finish(execution, now, "SUCCEEDED");
      return;
    }
    const publishingFromMs = startedMs + executionDurationMs * (1 - PUBLISHING_SHARE);
    if (execution.status === "RUNNING" && now >= publishingFromMs) {
      execution.status = "PUBLISHING";
      execution.lastUpdatedTimeMs = now;
    }
  }

  private startPending(instanceId: string, queue: SandboxExecution[], now: number): void {
    let running = queue.filter(isOccupyingSlot).length;
    for (const execution of queue) {
      if (running >= this.options.maxRunningPerInstance) break;
      if (execution.status !== "PENDING" || now < execution.waitUntilMs) continue;
      this.start(execution, now);
      running += 1;
    }
    if (running > (this.maxRunning.get(instanceId) ?? 0)) this.maxRunning.set(instanceId, running);
  }

  private start(execution: SandboxExecution, now: number): void {
    execution.status = "RUNNING";
    execution.startTimeMs = now;
    execution.lastUpdatedTimeMs = now;
    if (execution.forcedOutcome) {
      execution.outcome = execution.forcedOutcome;
      return;
    }
    const retentionStart = new Date(now);
    retentionStart.setUTCMonth(retentionStart.getUTCMonth() - this.options.retentionMonths);
    this.options
      .runQuery({
        sql: execution.sqlQuery,
        windowStartMs: execution.windowStartMs,
        windowEndMs: execution.windowEndMs,
        retentionStartMs: retentionStart.getTime(),
        inputParameters: execution.inputParameters,
        parameterValues: execution.parameterValues,
        privacyFilteringBehavior: execution.privacyFilteringBehavior,
      })
      .then((outcome) => {
        // A cancelled execution keeps no result.
        if (isOccupyingSlot(execution)) execution.outcome = outcome;
        this.advance();
      })
      .catch((error: unknown) => {
        this.options.logger.error(
          { err: error, executionId: execution.workflowExecutionId },
          "sandbox query runner failed",
        );
        execution.outcome = { status: "FAILED", reason: "Internal error while running the query." };
        this.advance();
      });
  }

  private finish(
    execution: SandboxExecution,
    now: number,
    status: "SUCCEEDED" | "FAILED" | "REJECTED",
    reason?: string,
  ): void {
    execution.status = status;
    if (reason !== undefined) execution.statusReason = reason;
    execution.endTimeMs = now;
    execution.lastUpdatedTimeMs = now;
    execution.outcome = undefined;
    this.options.onFinished(execution);
  }

  private armTimer(now: number): void {
    clearTimeout(this.timer);
    const dueMs = this.nextDueMs(now);
    if (dueMs === undefined) return;
    const delayMs = Math.min(Math.max(dueMs - now, 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.advance(), delayMs);
    this.timer.unref();
  }

  private nextDueMs(now: number): number | undefined {
    let due: number | undefined;
    const consider = (ms: number) => {
      if (ms > now && (due === undefined || ms < due)) due = ms;
    };
    const { executionDurationMs } = this.options;
    for (const queue of this.queues.values()) {
      for (const execution of queue) {
        if (execution.status === "PENDING") consider(execution.waitUntilMs);
        if (!isOccupyingSlot(execution)) continue;
        const startedMs = execution.startTimeMs!;
        consider(startedMs + execution.timeoutSeconds * 1000);
        consider(startedMs + executionDurationMs * (1 - PUBLISHING_SHARE));
        consider(startedMs + executionDurationMs);
      }
    }
    return due;
  }
}

function isOccupyingSlot(execution: SandboxExecution): boolean {
  return execution.status === "RUNNING" || execution.status === "PUBLISHING";
}

function isActive(execution: SandboxExecution): boolean {
  return execution.status === "PENDING" || isOccupyingSlot(execution);
}

function timeoutReason(timeoutSeconds: number): string {
  return (
    `Execution timed out after ${timeoutSeconds} seconds ` +
    "(workflowExecutionTimeoutSeconds): raise the timeout or narrow the query."
  );
}
