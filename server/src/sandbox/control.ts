import type { IncomingMessage, ServerResponse } from "node:http";
import { FaultRuleError, type FaultInjector, type FaultRule } from "./faults.ts";
import { AmcHttpError, readBodyText, sendJson } from "./http.ts";
import type { SandboxStats } from "./types.ts";

// Control routes under /_sandbox/ for tests that run the sandbox in another process:
//   GET  /_sandbox/stats            counters; POST /_sandbox/stats/reset zeroes them
//   GET  /_sandbox/faults           active rules with their counters
//   PUT  /_sandbox/faults           replaces the rules with the JSON array in the body
//   POST /_sandbox/faults           adds the rule in the body and returns {id}
//   DELETE /_sandbox/faults[/{id}]  removes every rule, or one
//   GET|PUT /_sandbox/config        {executionDurationMs, tokenExpiresInSeconds}
// They take no token and are never faulted or counted.

/** What the control routes change. */
export interface ControlContext {
  faults: FaultInjector;
  stats(): SandboxStats;
  resetStats(): void;
  config(): { executionDurationMs: number; tokenExpiresInSeconds: number };
  setExecutionDurationMs(durationMs: number): void;
  setTokenExpiresInSeconds(seconds: number): void;
}

/** Handles a /_sandbox/ request. */
export async function handleControlRoute(
  context: ControlContext,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<void> {
  const method = req.method ?? "GET";
  const faultId = /^\/_sandbox\/faults\/([^/]+)$/.exec(pathname)?.[1];
  try {
    if (pathname === "/_sandbox/stats" && method === "GET") {
      sendJson(res, 200, context.stats());
    } else if (pathname === "/_sandbox/stats/reset" && method === "POST") {
      context.resetStats();
      sendJson(res, 200, {});
    } else if (pathname === "/_sandbox/faults") {
      await handleFaults(context.faults, req, res, method);
    } else if (faultId !== undefined && method === "DELETE") {
      const removed = context.faults.remove(decodeURIComponent(faultId));
      sendJson(res, removed ? 200 : 404, removed ? {} : { code: "404", details: "No such rule." });
    } else if (pathname === "/_sandbox/config" && method === "GET") {
      sendJson(res, 200, context.config());
    } else if (pathname === "/_sandbox/config" && method === "PUT") {
      applyConfig(context, await readJson(req));
      sendJson(res, 200, context.config());
    } else {
      throw new AmcHttpError(404, `No control route for ${method} ${pathname}.`);
    }
  } catch (error) {
    if (error instanceof FaultRuleError) throw new AmcHttpError(400, error.message);
    throw error;
  }
}

async function handleFaults(
  faults: FaultInjector,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
): Promise<void> {
  if (method === "GET") {
    sendJson(res, 200, faults.list());
  } else if (method === "PUT") {
    const rules = await readJson(req);
    if (!Array.isArray(rules)) throw new AmcHttpError(400, "Send a JSON array of fault rules.");
    faults.set(rules as FaultRule[]);
    sendJson(res, 200, faults.list());
  } else if (method === "POST") {
    sendJson(res, 200, { id: faults.add((await readJson(req)) as FaultRule) });
  } else if (method === "DELETE") {
    faults.clear();
    sendJson(res, 200, {});
  } else {
    throw new AmcHttpError(405, `Method ${method} is not allowed on /_sandbox/faults.`);
  }
}

function applyConfig(context: ControlContext, body: unknown): void {
  const { executionDurationMs, tokenExpiresInSeconds } = (body ?? {}) as Record<string, unknown>;
  const check = (name: string, value: unknown) => {
    if (
      value !== undefined &&
      (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    ) {
      throw new AmcHttpError(
        400,
        `${name} ${JSON.stringify(value)} is invalid: expected a whole number >= 0.`,
      );
    }
  };
  check("executionDurationMs", executionDurationMs);
  check("tokenExpiresInSeconds", tokenExpiresInSeconds);
  if (typeof executionDurationMs === "number") context.setExecutionDurationMs(executionDurationMs);
  if (typeof tokenExpiresInSeconds === "number")
    context.setTokenExpiresInSeconds(tokenExpiresInSeconds);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse(await readBodyText(req));
  } catch {
    throw new AmcHttpError(400, "Request body is not valid JSON.");
  }
}
