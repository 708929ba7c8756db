import type { AmcInputParameter } from "../amc/types.ts";
import { AmcHttpError } from "./http.ts";
import {
  checkTimeZone,
  parseLocalTime,
  resolveRelativeWindow,
  timeWindowTypes,
  type ResolvedWindow,
  type TimeWindowType,
} from "./time-window.ts";
import type { StoredWorkflow } from "./types.ts";

// Create-time validation of POST /workflowExecutions, with AMC's 400 responses.

const MIN_TIMEOUT_SECONDS = 900;
const MAX_TIMEOUT_SECONDS = 86_400;
const DEFAULT_TIMEOUT_SECONDS = 21_600;
const WORKFLOW_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const privacyBehaviors = ["REMOVE_ROWS", "REMOVE_VALUES"] as const;

/** A validated create request. */
export interface ValidCreateRequest {
  /** Set when a saved workflow runs. */
  savedWorkflowId?: string;
  sqlQuery: string;
  inputParameters: AmcInputParameter[];
  privacyFilteringBehavior: "REMOVE_ROWS" | "REMOVE_VALUES";
  window: ResolvedWindow;
  parameterValues: Record<string, unknown>;
  timeoutSeconds: number;
}

/** Validates a create body; `findWorkflow` looks a saved workflow up on the same instance. */
export function validateCreateExecution(
  body: Record<string, unknown>,
  nowMs: number,
  findWorkflow: (workflowId: string) => StoredWorkflow | undefined,
): ValidCreateRequest {
  const source = readWorkflowSource(body, findWorkflow);
  const window = readWindow(body, nowMs);
  return {
    ...source,
    window,
    parameterValues: readParameterValues(body.parameterValues),
    timeoutSeconds: readTimeout(body.workflowExecutionTimeoutSeconds),
  };
}

function readWorkflowSource(
  body: Record<string, unknown>,
  findWorkflow: (workflowId: string) => StoredWorkflow | undefined,
): Omit<ValidCreateRequest, "window" | "parameterValues" | "timeoutSeconds"> {
  const hasId = body.workflowId !== undefined && body.workflowId !== null;
  const hasWorkflow = body.workflow !== undefined && body.workflow !== null;
  if (hasId && hasWorkflow) {
    throw new AmcHttpError(400, "Specify either workflowId or workflow, not both.");
  }
  if (!hasId && !hasWorkflow) {
    throw new AmcHttpError(400, "Either workflowId or workflow is required.");
  }
  if (hasId) {
    if (typeof body.workflowId !== "string" || body.workflowId === "") {
      throw new AmcHttpError(400, "workflowId must be a non-empty string.");
    }
    const saved = findWorkflow(body.workflowId);
    if (!saved) {
      throw new AmcHttpError(400, `Workflow with ID ${body.workflowId} does not exist.`);
    }
    return { savedWorkflowId: saved.workflowId, ...saved };
  }
  const workflow = body.workflow as Record<string, unknown>;
  if (typeof workflow !== "object" || Array.isArray(workflow)) {
    throw new AmcHttpError(400, "workflow must be an object with a sqlQuery.");
  }
  if (typeof workflow.sqlQuery !== "string" || workflow.sqlQuery.trim() === "") {
    throw new AmcHttpError(400, "workflow.sqlQuery is required and must be a non-empty string.");
  }
  return {
    sqlQuery: workflow.sqlQuery,
    inputParameters: readInputParameters(workflow.inputParameters),
    privacyFilteringBehavior: readPrivacyBehavior(workflow.privacyFilteringBehavior),
  };
}

function readWindow(body: Record<string, unknown>, nowMs: number): ResolvedWindow {
  const type = (body.timeWindowType ?? "EXPLICIT") as TimeWindowType;
  if (!timeWindowTypes.includes(type)) {
    throw new AmcHttpError(
      400,
      `timeWindowType "${String(type)}" is invalid: expected one of ${timeWindowTypes.join(", ")}.`,
    );
  }
  const timeZone = body.timeWindowTimeZone ?? "UTC";
  if (typeof timeZone !== "string") {
    throw new AmcHttpError(400, "timeWindowTimeZone must be a string such as UTC.");
  }
  checkTimeZone(timeZone);
  if (type !== "EXPLICIT") return resolveRelativeWindow(type, nowMs, timeZone);

  const { timeWindowStart, timeWindowEnd } = body;
  if (typeof timeWindowStart !== "string" || typeof timeWindowEnd !== "string") {
    throw new AmcHttpError(
      400,
      "timeWindowStart and timeWindowEnd are required for timeWindowType EXPLICIT.",
    );
  }
  const startMs = parseLocalTime("timeWindowStart", timeWindowStart, timeZone);
  const endMs = parseLocalTime("timeWindowEnd", timeWindowEnd, timeZone);
  if (endMs <= startMs) {
    throw new AmcHttpError(
      400,
      `timeWindowEnd ${timeWindowEnd} must be after timeWindowStart ${timeWindowStart}.`,
    );
  }
  if (startMs > nowMs) {
    throw new AmcHttpError(400, `timeWindowStart ${timeWindowStart} is in the future.`);
  }
  return { startMs, endMs, localStart: timeWindowStart, localEnd: timeWindowEnd, timeZone };
}

function readTimeout(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_TIMEOUT_SECONDS;
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < MIN_TIMEOUT_SECONDS ||
    value > MAX_TIMEOUT_SECONDS
  ) {
    throw new AmcHttpError(
      400,
      `workflowExecutionTimeoutSeconds ${JSON.stringify(value)} is invalid: expected a whole ` +
        `number from ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS}.`,
    );
  }
  return value;
}

function readParameterValues(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new AmcHttpError(400, "parameterValues must be an object of parameter names to values.");
  }
  return value as Record<string, unknown>;
}

/** Validates a saved-workflow body of POST or PUT /workflows. */
export function validateWorkflow(body: Record<string, unknown>, pathId?: string): StoredWorkflow {
  const workflowId = body.workflowId ?? pathId;
  if (typeof workflowId !== "string" || !WORKFLOW_ID.test(workflowId)) {
    throw new AmcHttpError(
      400,
      `workflowId ${JSON.stringify(workflowId)} is invalid: use 1 to 128 letters, digits, ".", "_" or "-".`,
    );
  }
  if (pathId !== undefined && workflowId !== pathId) {
    throw new AmcHttpError(400, `workflowId ${workflowId} does not match the path's ${pathId}.`);
  }
  if (typeof body.sqlQuery !== "string" || body.sqlQuery.trim() === "") {
    throw new AmcHttpError(400, "sqlQuery is required and must be a non-empty string.");
  }
  return {
    workflowId,
    sqlQuery: body.sqlQuery,
    inputParameters: readInputParameters(body.inputParameters),
    privacyFilteringBehavior: readPrivacyBehavior(body.privacyFilteringBehavior),
  };
}

function readInputParameters(value: unknown): AmcInputParameter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new AmcHttpError(400, "inputParameters must be an array of {name, dataType}.");
  }
  return value.map((entry: unknown, index) => {
    const parameter = entry as Record<string, unknown>;
    if (
      typeof parameter !== "object" ||
      parameter === null ||
      typeof parameter.name !== "string" ||
      parameter.name === "" ||
      typeof parameter.dataType !== "string"
    ) {
      throw new AmcHttpError(
        400,
        `inputParameters[${index}] is invalid: expected {name, dataType, defaultValue?}.`,
      );
    }
    return {
      name: parameter.name,
      dataType: parameter.dataType,
      ...(parameter.defaultValue !== undefined ? { defaultValue: parameter.defaultValue } : {}),
    };
  });
}

function readPrivacyBehavior(value: unknown): "REMOVE_ROWS" | "REMOVE_VALUES" {
  if (value === undefined || value === null) return "REMOVE_ROWS";
  if (!privacyBehaviors.includes(value as "REMOVE_ROWS")) {
    throw new AmcHttpError(
      400,
      `privacyFilteringBehavior ${JSON.stringify(value)} is invalid: expected REMOVE_ROWS or REMOVE_VALUES.`,
    );
  }
  return value as "REMOVE_ROWS" | "REMOVE_VALUES";
}
