import { createHash } from "node:crypto";
import { TZDate } from "@date-fns/tz";
import { endOfISOWeek, subMonths } from "date-fns";
import type { UserError } from "./errors.ts";
import { parseParameterDefinitions, type ParameterDefinition } from "./parameters.ts";
import { renderSql } from "./render.ts";
import { DomainValidationError } from "./errors.ts";
import {
  addDaysToDay,
  formatDay,
  isValidDay,
  isValidTimeZone,
  parseDay,
  planWeeks,
  type PlannedWeek,
} from "./weeks.ts";

// Validation of createCollection's input, separate from the writes so that every problem is
// found before anything is stored.

/** Input of createCollection. */
export interface CreateCollectionInput {
  name: string;
  workflowId: string;
  instanceId: string;
  /** First day, "YYYY-MM-DD", inclusive. */
  startDate: string;
  /** Last day, "YYYY-MM-DD", inclusive; required for BACKFILL and rejected for ROLLING. */
  endDate?: string | null;
  /** IANA time zone of the AMC time windows; UTC when omitted. */
  timezone?: string | null;
  /** BACKFILL (a fixed range, the default) or ROLLING (weeks keep being appended). */
  mode?: "BACKFILL" | "ROLLING" | null;
  /** Values of the workflow's declared parameters, keyed by name. */
  parameterValues?: Record<string, unknown> | null;
  /** Widen the range to whole Monday-to-Sunday weeks instead of clamping the first and last. */
  expandToWholeWeeks?: boolean | null;
  /** Client-chosen key: a repeat with the same input returns the collection created first. */
  idempotencyKey?: string | null;
}

/** Settings of createCollection that come from the server, not the client. */
export interface CreateCollectionOptions {
  /** Current time; dates such as "today" and the retention limit derive from it. */
  now: Date;
  /** Most weeks one collection may have at creation (MAX_WEEKS_PER_COLLECTION). */
  maxWeeks: number;
}

/** Months of data AMC keeps (a rolling 13 months). */
export const AMC_RETENTION_MONTHS = 13;
export const MAX_NAME_LENGTH = 200;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** The workflow fields that validation reads. */
export interface WorkflowForValidation {
  sqlTemplate: string;
  parameters: unknown;
}

/** Input after validation, with the planned weeks and the effective range. */
export interface ValidatedCollection {
  name: string;
  mode: "BACKFILL" | "ROLLING";
  timezone: string;
  startDate: string;
  endDate: string;
  weeks: PlannedWeek[];
  parameterValues: Record<string, unknown>;
  parameters: ParameterDefinition[];
}

/** Returns the canonical IANA spelling of a valid time zone name, e.g. "utc" as "UTC". */
function canonicalTimeZone(timezone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions().timeZone;
}

/** Returns the calendar date of `now` in `timezone`, "YYYY-MM-DD". */
export function todayIn(now: Date, timezone: string): string {
  return formatDay(new TZDate(now.getTime(), timezone));
}

/**
 * Validates the input against the workflow (null when unknown) and the instance's existence,
 * and plans the weeks. Throws DomainValidationError listing every problem.
 */
export function validateCollectionInput(
  input: CreateCollectionInput,
  workflow: WorkflowForValidation | null,
  instanceExists: boolean,
  options: CreateCollectionOptions,
): ValidatedCollection {
  const errors: UserError[] = [];
  const problem = (field: string, message: string, code: string) =>
    errors.push({ field: ["input", field], message, code });

  const name = typeof input.name === "string" ? input.name.trim() : "";
  const nameLength = [...name].length;
  if (name === "" || nameLength > MAX_NAME_LENGTH) {
    problem(
      "name",
      `Name must be 1 to ${MAX_NAME_LENGTH} characters long; it has ${nameLength}.`,
      "INVALID_NAME",
    );
  } else if (name.includes("\u0000")) {
    // PostgreSQL text cannot store NUL, so the insert would fail with an internal error.
    problem("name", "Name must not contain the NUL character (U+0000).", "INVALID_NAME");
  }
  const mode = input.mode ?? "BACKFILL";
  if (mode !== "BACKFILL" && mode !== "ROLLING") {
    problem("mode", `Mode "${String(mode)}" is invalid: use BACKFILL or ROLLING.`, "INVALID_MODE");
  }
  const requestedTimezone = input.timezone ?? "UTC";
  const timezoneValid = isValidTimeZone(requestedTimezone);
  // Stored and sent to AMC in the canonical spelling ("utc" becomes "UTC").
  const timezone = timezoneValid ? canonicalTimeZone(requestedTimezone) : requestedTimezone;
  if (!timezoneValid) {
    problem(
      "timezone",
      `Time zone "${timezone}" is not a known IANA time zone: use a name such as UTC or America/New_York.`,
      "INVALID_TIMEZONE",
    );
  }
  if (!workflow)
    problem("workflowId", `Workflow ${input.workflowId} not found.`, "UNKNOWN_WORKFLOW");
  if (!instanceExists) {
    problem("instanceId", `Instance ${input.instanceId} not found.`, "UNKNOWN_INSTANCE");
  }
  if (input.idempotencyKey != null && !isValidIdempotencyKey(input.idempotencyKey)) {
    problem(
      "idempotencyKey",
      `Idempotency key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long, without NUL characters.`,
      "INVALID_IDEMPOTENCY_KEY",
    );
  }

  const today = todayIn(options.now, timezoneValid ? timezone : "UTC");
  const range = checkRange(input, mode, today, options, problem);

  let parameters: ParameterDefinition[] = [];
  const parameterValues = input.parameterValues ?? {};
  const valuesAreObject = typeof parameterValues === "object" && !Array.isArray(parameterValues);
  if (!valuesAreObject) {
    problem(
      "parameterValues",
      `Parameter values must be a JSON object of name and value, such as {"brand": "Acme"}; got ${JSON.stringify(parameterValues)?.slice(0, 60)}.`,
      "INVALID_PARAMETER_VALUES",
    );
  } else if (workflow) {
    const parsed = parseParameterDefinitions(workflow.parameters, ["workflow", "parameters"]);
    errors.push(...parsed.errors);
    parameters = parsed.definitions;
    errors.push(
      ...templateErrors(workflow.sqlTemplate, range?.weeks[0], parameters, parameterValues),
    );
  }

  if (errors.length > 0 || !range) throw new DomainValidationError(errors);
  return {
    name,
    mode,
    timezone,
    startDate: range.startDate,
    endDate: range.endDate,
    weeks: range.weeks,
    parameterValues,
    parameters,
  };
}

function isValidIdempotencyKey(key: unknown): boolean {
  return (
    typeof key === "string" &&
    key.length >= 1 &&
    key.length <= MAX_IDEMPOTENCY_KEY_LENGTH &&
    !key.includes("\u0000")
  );
}

type Problem = (field: string, message: string, code: string) => void;

/** Checks the dates and plans the weeks; returns null after reporting a problem. */
function checkRange(
  input: CreateCollectionInput,
  mode: string,
  today: string,
  options: CreateCollectionOptions,
  problem: Problem,
): { startDate: string; endDate: string; weeks: PlannedWeek[] } | null {
  const startValid = isValidDay(input.startDate);
  if (!startValid) {
    problem(
      "startDate",
      `Start date "${input.startDate}" is not a valid date: expected YYYY-MM-DD, e.g. 2024-01-31.`,
      "INVALID_DATE",
    );
  }
  const requestedEnd = rollingOrRequestedEnd(input, mode, today, problem);
  if (!startValid || requestedEnd === null) return null;
  if (requestedEnd < input.startDate) {
    problem(
      "endDate",
      `End date ${requestedEnd} is before start date ${input.startDate}: pick an end on or after the start.`,
      "END_BEFORE_START",
    );
    return null;
  }

  const weeks = planWeeks({
    startDate: input.startDate,
    endDate: requestedEnd,
    expandToWholeWeeks: input.expandToWholeWeeks ?? false,
  });
  const startDate = weeks[0]!.startDate;
  const endDate = weeks[weeks.length - 1]!.endDate;
  const retentionStart = formatDay(subMonths(parseDay(today), AMC_RETENTION_MONTHS));
  if (startDate < retentionStart) {
    problem(
      "startDate",
      `Start date ${startDate} is older than AMC's ${AMC_RETENTION_MONTHS}-month retention: pick ${retentionStart} or later.`,
      "BEFORE_RETENTION",
    );
  }
  if (mode === "BACKFILL" && endDate > today) {
    problem(
      "endDate",
      `End date ${endDate} is in the future (today is ${today}): pick ${today} or earlier, or create a ROLLING collection.`,
      "END_IN_FUTURE",
    );
  }
  if (weeks.length > options.maxWeeks) {
    problem(
      "endDate",
      `The range ${startDate}..${endDate} has ${weeks.length} weeks; the maximum is ${options.maxWeeks}. Shorten the range or split it into several collections.`,
      "TOO_MANY_WEEKS",
    );
  }
  return { startDate, endDate, weeks };
}

/**
 * Returns the last day to plan. A BACKFILL uses the requested end date. A ROLLING collection
 * has none: it is planned through the Sunday of the last finished week (or of the start's
 * week when that has not finished), so its last week is always whole and later weeks append
 * cleanly.
 */
function rollingOrRequestedEnd(
  input: CreateCollectionInput,
  mode: string,
  today: string,
  problem: Problem,
): string | null {
  if (mode === "ROLLING") {
    if (input.endDate != null) {
      problem(
        "endDate",
        "A ROLLING collection has no end date: omit endDate, and weeks are appended as they finish.",
        "END_DATE_NOT_ALLOWED",
      );
      return null;
    }
    if (!isValidDay(input.startDate)) return null;
    const lastFinishedSunday = addDaysToDay(formatDay(endOfISOWeek(parseDay(today))), -7);
    const startSunday = formatDay(endOfISOWeek(parseDay(input.startDate)));
    return lastFinishedSunday > startSunday ? lastFinishedSunday : startSunday;
  }
  if (input.endDate == null || !isValidDay(input.endDate)) {
    problem(
      "endDate",
      input.endDate == null
        ? "End date is missing: a BACKFILL collection needs one, written YYYY-MM-DD."
        : `End date "${input.endDate}" is not a valid date: expected YYYY-MM-DD, e.g. 2024-01-31.`,
      input.endDate == null ? "MISSING_END_DATE" : "INVALID_DATE",
    );
    return null;
  }
  return input.endDate;
}

/** Renders the template once for the first week to find parameter and placeholder problems. */
function templateErrors(
  template: string,
  firstWeek: PlannedWeek | undefined,
  parameters: ParameterDefinition[],
  values: Record<string, unknown>,
): UserError[] {
  const dates = firstWeek ?? { startDate: "2000-01-03", endDate: "2000-01-09" };
  try {
    renderSql(template, dates, parameters, values);
    return [];
  } catch (error) {
    if (!(error instanceof DomainValidationError)) throw error;
    return error.userErrors.map((userError) => ({
      ...userError,
      field:
        userError.field[0] === "sqlTemplate"
          ? ["input", "workflowId"]
          : ["input", ...userError.field],
    }));
  }
}

/**
 * Hashes the input that defines a collection, to tell a repeated request from a different one
 * that reuses its idempotency key. Keys are sorted so that property order does not matter.
 */
export function hashCollectionInput(input: CreateCollectionInput): string {
  const { idempotencyKey: _key, ...rest } = input;
  const normalized = {
    ...rest,
    endDate: rest.endDate ?? null,
    timezone: rest.timezone ?? "UTC",
    mode: rest.mode ?? "BACKFILL",
    parameterValues: rest.parameterValues ?? {},
    expandToWholeWeeks: rest.expandToWholeWeeks ?? false,
  };
  return createHash("sha256").update(canonicalJson(normalized)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
