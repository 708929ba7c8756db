import { randomUUID } from "node:crypto";
import type { AmcExecutionStatus } from "../amc/types.ts";
import type { FaultInjector } from "./faults.ts";
import { AmcHttpError } from "./http.ts";
import type { Lifecycle } from "./lifecycle.ts";
import { formatUtc } from "./time-window.ts";
import type { SandboxExecution } from "./types.ts";
import type { ValidCreateRequest } from "./validation.ts";

// Executions of the sandbox: creation (with fault-driven rejections), reads, cancellation and
// the list call with its filters and paging. Status changes happen in the Lifecycle.

const DATA_COMPLETE_DELAY_MS = 48 * 3_600_000;
const EXPIRE_AFTER_MS = 24 * 3_600_000;
const MAX_LIST_LIMIT = 100;
const REPEATED_WINDOW_REASON =
  "Too many workflows have already been run against the same input data sources in the same " +
  "or overlapping time windows. Wait before running this window again.";

/** Query parameters of the list call. */
export interface ListQuery {
  workflowId?: string;
  minCreationTime?: string;
  maxCreationTime?: string;
  limit?: string;
  nextToken?: string;
  includeCancelled?: string;
  sortAscending?: string;
}

/** Stores executions and implements the execution calls. */
export class ExecutionStore {
  private readonly executions = new Map<string, SandboxExecution>();
  private sequence = 0;
  /** Executions created per instance. */
  readonly createdPerInstance = new Map<string, number>();

  constructor(
    private readonly lifecycle: Lifecycle,
    private readonly faults: FaultInjector,
    private readonly clock: () => number,
  ) {}

  /** Creates an execution. It starts PENDING unless a fault rule rejects it at once. */
  create(instanceId: string, request: ValidCreateRequest): SandboxExecution {
    const now = this.clock();
    const { window } = request;
    const execution: SandboxExecution = {
      workflowExecutionId: randomUUID(),
      instanceId,
      workflowId: request.savedWorkflowId ?? `transient_${randomUUID()}`,
      sqlQuery: request.sqlQuery,
      inputParameters: request.inputParameters,
      privacyFilteringBehavior: request.privacyFilteringBehavior,
      parameterValues: request.parameterValues,
      status: "PENDING",
      sequence: ++this.sequence,
      createTimeMs: now,
      lastUpdatedTimeMs: now,
      windowStartMs: window.startMs,
      windowEndMs: window.endMs,
      timeWindowStart: window.localStart,
      timeWindowEnd: window.localEnd,
      timeWindowTimeZone: window.timeZone,
      timeoutSeconds: request.timeoutSeconds,
      waitUntilMs: window.endMs + DATA_COMPLETE_DELAY_MS,
    };
    this.createdPerInstance.set(instanceId, (this.createdPerInstance.get(instanceId) ?? 0) + 1);

    const rejection = this.repeatedWindowRejection(execution);
    const forced = rejection ?? this.faults.forExecution(instanceId, execution.sqlQuery);
    this.executions.set(execution.workflowExecutionId, execution);
    if (forced?.status === "REJECTED") {
      execution.status = "REJECTED";
      execution.statusReason = forced.reason;
      execution.endTimeMs = now;
      return execution;
    }
    if (forced) execution.forcedOutcome = forced;
    this.lifecycle.enqueue(execution);
    return execution;
  }

  /** Returns an execution of the instance; 404 when there is none. */
  get(instanceId: string, executionId: string): SandboxExecution {
    this.lifecycle.advance();
    const execution = this.executions.get(executionId);
    if (!execution || execution.instanceId !== instanceId) {
      throw new AmcHttpError(404, `Execution with ID ${executionId} was not found.`);
    }
    return execution;
  }

  /** Cancels a PENDING or RUNNING execution; 400 in any other status. */
  cancel(instanceId: string, executionId: string): SandboxExecution {
    const execution = this.get(instanceId, executionId);
    if (!["PENDING", "RUNNING", "PUBLISHING"].includes(execution.status)) {
      throw new AmcHttpError(
        400,
        `Execution with ID ${executionId} is ${execution.status} and cannot be cancelled: ` +
          "only PENDING or RUNNING executions can.",
      );
    }
    const now = this.clock();
    execution.status = "CANCELLED";
    execution.statusReason = "Cancelled by request.";
    execution.endTimeMs = now;
    execution.lastUpdatedTimeMs = now;
    execution.outcome = undefined;
    this.lifecycle.advance();
    return execution;
  }

  /** Implements GET /workflowExecutions. */
  list(
    instanceId: string,
    query: ListQuery,
  ): { executions: SandboxExecution[]; nextToken?: string } {
    this.lifecycle.advance();
    if (!query.workflowId && !query.minCreationTime) {
      throw new AmcHttpError(400, "Either workflowId or minCreationTime is required.");
    }
    const minMs = parseTimeParameter("minCreationTime", query.minCreationTime);
    const maxMs = parseTimeParameter("maxCreationTime", query.maxCreationTime);
    const limit = parseLimit(query.limit);
    const includeCancelled = parseBoolean("includeCancelled", query.includeCancelled);
    const ascending = parseBoolean("sortAscending", query.sortAscending);

    const matching = [...this.executions.values()].filter(
      (execution) =>
        execution.instanceId === instanceId &&
        (!query.workflowId || execution.workflowId === query.workflowId) &&
        (minMs === undefined || execution.createTimeMs >= minMs) &&
        (maxMs === undefined || execution.createTimeMs <= maxMs) &&
        (includeCancelled || execution.status !== "CANCELLED"),
    );
    matching.sort((a, b) => (ascending ? a.sequence - b.sequence : b.sequence - a.sequence));

    const offset = parseNextToken(query.nextToken);
    const page = matching.slice(offset, offset + limit);
    const nextOffset = offset + page.length;
    return {
      executions: page,
      ...(nextOffset < matching.length ? { nextToken: encodeNextToken(nextOffset) } : {}),
    };
  }

  /** Counts executions of the instance per status, for stats. */
  countByStatus(): Record<AmcExecutionStatus, number> {
    const counts = {} as Record<AmcExecutionStatus, number>;
    for (const execution of this.executions.values()) {
      counts[execution.status] = (counts[execution.status] ?? 0) + 1;
    }
    return counts;
  }

  private repeatedWindowRejection(
    execution: SandboxExecution,
  ): { status: "REJECTED"; reason: string } | undefined {
    const rule = this.faults.repeatedWindowLimit(execution.instanceId);
    if (!rule) return undefined;
    let overlapping = 0;
    for (const other of this.executions.values()) {
      if (other.instanceId !== execution.instanceId || other.status === "REJECTED") continue;
      if (
        other.windowStartMs < execution.windowEndMs &&
        execution.windowStartMs < other.windowEndMs
      ) {
        overlapping += 1;
      }
    }
    if (overlapping < rule.limit) return undefined;
    rule.count();
    return { status: "REJECTED", reason: REPEATED_WINDOW_REASON };
  }
}

/** Converts an execution to AMC's JSON shape. The window is echoed in UTC. */
export function toExecutionJson(execution: SandboxExecution): Record<string, unknown> {
  return {
    workflowExecutionId: execution.workflowExecutionId,
    workflowId: execution.workflowId,
    status: execution.status,
    ...(execution.statusReason ? { statusReason: execution.statusReason } : {}),
    createTime: formatUtc(execution.createTimeMs),
    lastUpdatedTime: formatUtc(execution.lastUpdatedTimeMs),
    expireTime: formatUtc(execution.createTimeMs + EXPIRE_AFTER_MS),
    ...(execution.startTimeMs !== undefined ? { startTime: formatUtc(execution.startTimeMs) } : {}),
    ...(execution.endTimeMs !== undefined ? { endTime: formatUtc(execution.endTimeMs) } : {}),
    ...(execution.status === "PENDING" && execution.waitUntilMs > execution.createTimeMs
      ? { waitUntil: formatUtc(execution.waitUntilMs) }
      : {}),
    timeWindowType: "EXPLICIT",
    timeWindowStart: formatUtc(execution.windowStartMs),
    timeWindowEnd: formatUtc(execution.windowEndMs),
    timeWindowTimeZone: execution.timeWindowTimeZone,
    parameterValues: execution.parameterValues,
    workflowExecutionTimeoutSeconds: execution.timeoutSeconds,
  };
}

function parseTimeParameter(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(ms)) {
    throw new AmcHttpError(
      400,
      `${name} "${value}" is invalid: expected an ISO 8601 time such as 2025-01-06T00:00:00Z.`,
    );
  }
  return ms;
}

function parseLimit(value: string | undefined): number {
  if (value === undefined || value === "") return MAX_LIST_LIMIT;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new AmcHttpError(
      400,
      `limit "${value}" is invalid: expected a whole number from 1 to ${MAX_LIST_LIMIT}.`,
    );
  }
  return limit;
}

function parseBoolean(name: string, value: string | undefined): boolean {
  if (value === undefined || value === "") return false;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new AmcHttpError(400, `${name} "${value}" is invalid: expected true or false.`);
}

function encodeNextToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64url");
}

function parseNextToken(token: string | undefined): number {
  if (token === undefined || token === "") return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      offset: unknown;
    };
    if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // Answered below.
  }
  throw new AmcHttpError(
    400,
    `nextToken "${token}" is invalid: pass the token of the previous page.`,
  );
}
