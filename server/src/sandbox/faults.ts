import { randomUUID } from "node:crypto";

// Fault injection. Rules are matched in order. HTTP rules act on requests (throttling, server
// errors, slow responses, dropped connections), and execution rules decide how an execution
// ends. A rule fires on every matching request, or on every Nth one (`everyNth`), and at most
// `times` times when that is set.

/** Names of the sandbox's endpoints, used in rules and in the request counters. */
export const endpointNames = [
  "token",
  "createExecution",
  "getExecution",
  "cancelExecution",
  "listExecutions",
  "downloadUrls",
  "createWorkflow",
  "getWorkflow",
  "updateWorkflow",
  "deleteWorkflow",
  "listWorkflows",
  "download",
] as const;
export type EndpointName = (typeof endpointNames)[number];

/** Filter of the requests or executions a rule applies to, and its firing frequency. */
export interface FaultMatch {
  /** Set by the sandbox when absent. Used to remove the rule. */
  id?: string;
  /** Endpoints the rule applies to. All when absent. Ignored by execution rules. */
  endpoints?: EndpointName[];
  /** AMC instance id the rule applies to. All when absent. */
  instanceId?: string;
  /** Fires on every Nth matching request or execution (1 = every one). */
  everyNth?: number;
  /** Fires at most this many times, then stays inactive. */
  times?: number;
  /** Execution rules only: the SQL must contain this text (case-insensitive). */
  sqlContains?: string;
}

/** A fault rule. */
export type FaultRule = FaultMatch &
  (
    | {
        /** 429. With Retry-After in seconds when set, and an HTML page as body when htmlBody. */
        kind: "throttle";
        retryAfterSeconds?: number;
        htmlBody?: boolean;
      }
    | { /** 500 with AMC's error body. */ kind: "serverError" }
    | {
        /** 504 `{"message": "Endpoint request timed out"}` as API Gateway sends it. */ kind: "gatewayTimeout";
      }
    | { /** Waits delayMs before answering normally. */ kind: "slow"; delayMs: number }
    | {
        /** createExecution only: the execution is created, then the connection is dropped. */
        kind: "dropAfterCreate";
      }
    | { /** The execution ends FAILED with `reason`. */ kind: "failExecution"; reason?: string }
    | { /** The execution ends REJECTED with `reason`. */ kind: "rejectExecution"; reason?: string }
    | {
        /** REJECTED when this many executions already ran over an overlapping window. */
        kind: "repeatedWindow";
        maxRunsPerWindow: number;
      }
  );

/** Faults to apply to one request. */
export interface RequestFaults {
  delayMs: number;
  /** The fault that replaces the normal response, if any. */
  failure?: Extract<FaultRule, { kind: "throttle" | "serverError" | "gatewayTimeout" }>;
  dropAfterCreate: boolean;
}

const httpKinds = new Set(["throttle", "serverError", "gatewayTimeout", "slow", "dropAfterCreate"]);

interface RuleState {
  rule: FaultRule;
  seen: number;
  fired: number;
}

/** Error for an invalid fault rule. The control routes respond to it with 400. */
export class FaultRuleError extends Error {
  override name = "FaultRuleError";
}

/** The sandbox's active fault rules. */
export class FaultInjector {
  private rules: RuleState[] = [];
  /** Injected faults per kind. */
  readonly injected: Record<string, number> = {};

  constructor(initial: FaultRule[] = []) {
    this.set(initial);
  }

  /** Replaces every rule. */
  set(rules: FaultRule[]): void {
    const checked = rules.map(checkRule);
    this.rules = checked.map((rule) => ({ rule, seen: 0, fired: 0 }));
  }

  /** Adds a rule and returns its id. */
  add(rule: FaultRule): string {
    const checked = checkRule(rule);
    this.rules.push({ rule: checked, seen: 0, fired: 0 });
    return checked.id!;
  }

  /** Removes the rule with this id. Returns false when there is none. */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((state) => state.rule.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  /** Active rules with their counters. */
  list(): (FaultRule & { seen: number; fired: number })[] {
    return this.rules.map((state) => ({ ...state.rule, seen: state.seen, fired: state.fired }));
  }

  /** Decides the faults of one request. */
  forRequest(endpoint: EndpointName, instanceId: string | undefined): RequestFaults {
    const result: RequestFaults = { delayMs: 0, dropAfterCreate: false };
    for (const state of this.rules) {
      const { rule } = state;
      if (!httpKinds.has(rule.kind)) continue;
      if (rule.endpoints && !rule.endpoints.includes(endpoint)) continue;
      if (rule.kind === "dropAfterCreate" && endpoint !== "createExecution") continue;
      if (rule.instanceId !== undefined && rule.instanceId !== instanceId) continue;
      if (result.failure && rule.kind !== "slow") continue;
      if (!this.fires(state)) continue;
      if (rule.kind === "slow") result.delayMs += rule.delayMs;
      else if (rule.kind === "dropAfterCreate") result.dropAfterCreate = true;
      else if (rule.kind !== "failExecution" && rule.kind !== "rejectExecution") {
        result.failure = rule as RequestFaults["failure"];
      }
    }
    return result;
  }

  /** Returns the forced end of a new execution, or undefined to run its SQL. */
  forExecution(
    instanceId: string,
    sql: string,
  ): { status: "FAILED" | "REJECTED"; reason: string } | undefined {
    for (const state of this.rules) {
      const { rule } = state;
      if (rule.kind !== "failExecution" && rule.kind !== "rejectExecution") continue;
      if (rule.instanceId !== undefined && rule.instanceId !== instanceId) continue;
      if (rule.sqlContains && !sql.toLowerCase().includes(rule.sqlContains.toLowerCase())) continue;
      if (!this.fires(state)) continue;
      if (rule.kind === "failExecution") {
        return { status: "FAILED", reason: rule.reason ?? "Injected failure: the query failed." };
      }
      return { status: "REJECTED", reason: rule.reason ?? "Injected rejection." };
    }
    return undefined;
  }

  /** Returns the repeated-window limit that applies to an instance, if a rule sets one. */
  repeatedWindowLimit(instanceId: string): { limit: number; count(): void } | undefined {
    for (const state of this.rules) {
      const { rule } = state;
      if (rule.kind !== "repeatedWindow") continue;
      if (rule.instanceId !== undefined && rule.instanceId !== instanceId) continue;
      return { limit: rule.maxRunsPerWindow, count: () => this.countFired(state) };
    }
    return undefined;
  }

  private fires(state: RuleState): boolean {
    const { rule } = state;
    if (rule.times !== undefined && state.fired >= rule.times) return false;
    state.seen += 1;
    if (state.seen % (rule.everyNth ?? 1) !== 0) return false;
    this.countFired(state);
    return true;
  }

  private countFired(state: RuleState): void {
    state.fired += 1;
    this.injected[state.rule.kind] = (this.injected[state.rule.kind] ?? 0) + 1;
  }
}

function checkRule(rule: FaultRule): FaultRule {
  const kinds = [...httpKinds, "failExecution", "rejectExecution", "repeatedWindow"];
  if (!rule || !kinds.includes(rule.kind)) {
    throw new FaultRuleError(
      `Fault kind ${JSON.stringify(rule?.kind)} is invalid: expected one of ${kinds.join(", ")}.`,
    );
  }
  for (const endpoint of rule.endpoints ?? []) {
    if (!endpointNames.includes(endpoint)) {
      throw new FaultRuleError(
        `Endpoint ${JSON.stringify(endpoint)} is invalid: expected one of ${endpointNames.join(", ")}.`,
      );
    }
  }
  const positive = (name: string, value: unknown) => {
    if (value !== undefined && (typeof value !== "number" || !(value >= 0))) {
      throw new FaultRuleError(
        `${name} ${JSON.stringify(value)} is invalid: expected a number >= 0.`,
      );
    }
  };
  positive("times", rule.times);
  positive("everyNth", rule.everyNth);
  if (rule.everyNth === 0) throw new FaultRuleError("everyNth must be at least 1.");
  if (rule.kind === "slow") positive("delayMs", rule.delayMs);
  if (rule.kind === "throttle") positive("retryAfterSeconds", rule.retryAfterSeconds);
  if (rule.kind === "repeatedWindow") positive("maxRunsPerWindow", rule.maxRunsPerWindow);
  return { ...rule, id: rule.id ?? randomUUID() };
}
