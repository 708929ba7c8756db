import type {
  AmcExecution,
  AmcExecutionStatus,
  AmcWorkflow,
  DownloadUrlsResponse,
  ListExecutionsResponse,
} from "./types.ts";

// Normalising AMC's success bodies. AMC documents a flat execution object, and some responses
// wrap it in `workflowExecution` (or a workflow in `workflow`); both shapes are accepted.

/** A success body that lacks a required field or has a value of the wrong type. */
export class AmcResponseError extends Error {
  override name = "AmcResponseError";
}

const statuses: ReadonlySet<string> = new Set<AmcExecutionStatus>([
  "PENDING",
  "RUNNING",
  "PUBLISHING",
  "SUCCEEDED",
  "FAILED",
  "CANCELLED",
  "REJECTED",
]);

type Fields = Record<string, unknown>;

function asObject(value: unknown, what: string): Fields {
  if (value && typeof value === "object" && !Array.isArray(value)) return value as Fields;
  throw new AmcResponseError(`Expected ${what} to be a JSON object, got ${describe(value)}.`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

function requiredString(fields: Fields, name: string, what: string): string {
  const value = fields[name];
  if (typeof value === "string" && value !== "") return value;
  throw new AmcResponseError(
    `Expected ${what} to have a string "${name}", got ${describe(value)}.`,
  );
}

function optionalString(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

function unwrap(body: unknown, wrapper: string, what: string): Fields {
  const fields = asObject(body, what);
  const inner = fields[wrapper];
  return inner && typeof inner === "object" && !Array.isArray(inner) ? (inner as Fields) : fields;
}

/** Parses an execution from a flat or `workflowExecution`-wrapped body. */
export function parseExecution(body: unknown): AmcExecution {
  const fields = unwrap(body, "workflowExecution", "the execution");
  const rawStatus = requiredString(fields, "status", "the execution").toUpperCase();
  if (!statuses.has(rawStatus)) {
    throw new AmcResponseError(
      `Execution status "${rawStatus}" is unknown: expected one of ${[...statuses].join(", ")}.`,
    );
  }
  const execution: AmcExecution = {
    workflowExecutionId: requiredString(fields, "workflowExecutionId", "the execution"),
    workflowId: requiredString(fields, "workflowId", "the execution"),
    status: rawStatus as AmcExecutionStatus,
  };
  for (const name of [
    "statusReason",
    "createTime",
    "lastUpdatedTime",
    "expireTime",
    "timeWindowStart",
    "timeWindowEnd",
    "timeWindowTimeZone",
  ] as const) {
    const value = optionalString(fields, name);
    if (value !== undefined) execution[name] = value;
  }
  return execution;
}

/** Parses the list call's `{executions, nextToken}`. */
export function parseExecutionList(body: unknown): ListExecutionsResponse {
  const fields = asObject(body, "the execution list");
  const executions = fields.executions ?? fields.workflowExecutions ?? [];
  if (!Array.isArray(executions)) {
    throw new AmcResponseError(
      `Expected "executions" of the execution list to be an array, got ${describe(executions)}.`,
    );
  }
  const nextToken = optionalString(fields, "nextToken");
  return {
    executions: executions.map(parseExecution),
    ...(nextToken ? { nextToken } : {}),
  };
}

function stringArray(fields: Fields, name: string): string[] | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
  throw new AmcResponseError(
    `Expected "${name}" to be an array of strings, got ${describe(value)}.`,
  );
}

/** Parses `{downloadUrls, metadataDownloadUrls, nextToken}`. */
export function parseDownloadUrls(body: unknown): DownloadUrlsResponse {
  const fields = asObject(body, "the download URLs");
  const downloadUrls = stringArray(fields, "downloadUrls");
  if (!downloadUrls) {
    throw new AmcResponseError('Expected the download URLs to have an array "downloadUrls".');
  }
  const metadataDownloadUrls = stringArray(fields, "metadataDownloadUrls");
  const nextToken = optionalString(fields, "nextToken");
  return {
    downloadUrls,
    ...(metadataDownloadUrls ? { metadataDownloadUrls } : {}),
    ...(nextToken ? { nextToken } : {}),
  };
}

/** Parses a saved workflow from a flat or `workflow`-wrapped body. */
export function parseWorkflow(body: unknown): AmcWorkflow {
  const fields = unwrap(body, "workflow", "the workflow");
  const workflow: AmcWorkflow = {
    workflowId: requiredString(fields, "workflowId", "the workflow"),
    sqlQuery: requiredString(fields, "sqlQuery", "the workflow"),
  };
  if (Array.isArray(fields.inputParameters)) {
    workflow.inputParameters = fields.inputParameters.map((item) => {
      const parameter = asObject(item, "an input parameter");
      return {
        name: requiredString(parameter, "name", "an input parameter"),
        dataType: requiredString(parameter, "dataType", "an input parameter"),
        ...("defaultValue" in parameter ? { defaultValue: parameter.defaultValue } : {}),
      };
    });
  }
  const behavior = fields.privacyFilteringBehavior;
  if (behavior === "REMOVE_ROWS" || behavior === "REMOVE_VALUES") {
    workflow.privacyFilteringBehavior = behavior;
  }
  return workflow;
}
