import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import {
  checkAmcHeaders,
  createExecutionFromRequest,
  handleAmcRoute,
  matchAmcRoute,
  type AmcRouteContext,
} from "./amc-routes.ts";
import { handleControlRoute, type ControlContext } from "./control.ts";
import { DownloadSigner } from "./downloads.ts";
import { ExecutionStore } from "./executions.ts";
import { FaultInjector, type EndpointName, type RequestFaults } from "./faults.ts";
import { AmcHttpError, sendAmcError, sendJson } from "./http.ts";
import { Lifecycle } from "./lifecycle.ts";
import { sendResultFile } from "./result-files.ts";
import { createQueryRunner } from "./sql/runner.ts";
import { TokenError, TokenStore } from "./tokens.ts";
import type { Sandbox, SandboxOptions, SandboxStats } from "./types.ts";
import { WorkflowStore } from "./workflows.ts";
import { listen, trackSockets } from "../http/server-utils.ts";

// A local AMC: the Login with Amazon token endpoint, AMC's reporting API, presigned result
// downloads and the /_sandbox/ control routes, on one loopback HTTP server.

const loopbackHosts = new Set(["127.0.0.1", "::1", "localhost"]);
const RETENTION_MONTHS = 13;

/** Error raised when the sandbox cannot start with the given options. */
export class SandboxStartError extends Error {
  override name = "SandboxStartError";
}

/** Starts a sandbox and resolves once it listens. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const host = options.host ?? "127.0.0.1";
  if (!loopbackHosts.has(host)) {
    throw new SandboxStartError(
      `Sandbox host "${host}" is not a loopback address: use 127.0.0.1 or ::1.`,
    );
  }
  const logger = options.logger.child({ component: "amc-sandbox" });
  const clock = options.clock ?? Date.now;
  const faults = new FaultInjector(options.faults);
  const tokens = new TokenStore(clock, options.credentials, options.tokenExpiresInSeconds ?? 3600);
  const signer = new DownloadSigner(clock, options.downloadUrlExpiresInSeconds ?? 600);
  const runner = createQueryRunner({ logger, queryTimeoutMs: options.queryTimeoutMs ?? 30_000 });
  const finished: Record<string, number> = {};
  const lifecycle = new Lifecycle({
    clock,
    logger,
    runQuery: (request) => runner.run(request),
    maxRunningPerInstance: options.maxRunningPerInstance ?? 10,
    executionDurationMs: options.executionDurationMs ?? 3000,
    resultPartMaxBytes: options.resultPartMaxBytes ?? 1024 * 1024,
    retentionMonths: RETENTION_MONTHS,
    onFinished: (execution) => {
      finished[execution.status] = (finished[execution.status] ?? 0) + 1;
      logger.debug(
        { executionId: execution.workflowExecutionId, status: execution.status },
        "sandbox execution finished",
      );
    },
  });
  const executions = new ExecutionStore(lifecycle, faults, clock);
  const requests: Record<string, number> = {};

  let baseUrl = "";
  const amcContext: AmcRouteContext = {
    baseUrl: () => baseUrl,
    clock,
    tokens,
    executions,
    workflows: new WorkflowStore(),
    signer,
    wrapExecutionResponses: options.wrapExecutionResponses ?? false,
  };

  const stats = (): SandboxStats => {
    const running: Record<string, number> = {};
    for (const instanceId of lifecycle.instanceIds()) {
      running[instanceId] = lifecycle.runningCount(instanceId);
    }
    return {
      requests: { ...requests },
      executionsCreated: Object.fromEntries(executions.createdPerInstance),
      running,
      maxRunning: Object.fromEntries(lifecycle.maxRunning),
      finished: { ...finished },
      faultsInjected: { ...faults.injected },
      tokensIssued: tokens.issuedCount,
      queryCache: runner.cacheStats(),
    };
  };
  const resetStats = () => {
    for (const map of [requests, finished, faults.injected]) {
      for (const key of Object.keys(map)) delete map[key];
    }
    executions.createdPerInstance.clear();
    for (const instanceId of lifecycle.instanceIds()) {
      lifecycle.maxRunning.set(instanceId, lifecycle.runningCount(instanceId));
    }
    tokens.issuedCount = 0;
    runner.resetStats();
  };
  const controlContext: ControlContext = {
    faults,
    stats,
    resetStats,
    config: () => ({
      executionDurationMs: lifecycle.options.executionDurationMs,
      tokenExpiresInSeconds: tokens.expiresInSeconds,
    }),
    setExecutionDurationMs: (durationMs) => {
      lifecycle.options.executionDurationMs = durationMs;
      lifecycle.advance();
    },
    setTokenExpiresInSeconds: (seconds) => {
      tokens.expiresInSeconds = seconds;
    },
  };

  const handler = createRequestHandler({
    amcContext,
    controlContext,
    faults,
    requests,
    tokens,
    signer,
    executions,
    logger,
  });
  const server = createServer((req, res) => void handler(req, res));
  const sockets = trackSockets(server);
  const address = await listen(server, options.port ?? 0, host);
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  baseUrl = `http://${urlHost}:${address.port}`;
  logger.info({ url: baseUrl }, "AMC sandbox listening");

  let stopping: Promise<void> | undefined;
  return {
    url: baseUrl,
    tokenUrl: `${baseUrl}/auth/o2/token`,
    faults,
    stats,
    resetStats,
    setExecutionDurationMs: controlContext.setExecutionDurationMs,
    setTokenExpiresInSeconds: controlContext.setTokenExpiresInSeconds,
    warmUp: () => runner.warmUp(),
    stop: () => {
      stopping ??= (async () => {
        lifecycle.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
        await runner.close();
        logger.info({ url: baseUrl }, "AMC sandbox stopped");
      })();
      return stopping;
    },
  };
}

interface HandlerParts {
  amcContext: AmcRouteContext;
  controlContext: ControlContext;
  faults: FaultInjector;
  requests: Record<string, number>;
  tokens: TokenStore;
  signer: DownloadSigner;
  executions: ExecutionStore;
  logger: SandboxOptions["logger"];
}

function createRequestHandler(parts: HandlerParts) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    const method = req.method ?? "GET";
    try {
      if (url.pathname.startsWith("/_sandbox/")) {
        await handleControlRoute(parts.controlContext, req, res, url.pathname);
        return;
      }
      if (url.pathname.startsWith("/_results/")) {
        if (!(await applyFaults(parts, "download", undefined, res))) return;
        const target = parts.signer.verify(url, res);
        if (target === "answered") return;
        if (target === undefined) throw new AmcHttpError(404, `No result file at ${url.pathname}.`);
        sendResultFile(parts.executions, target, res);
        return;
      }
      if (url.pathname === "/auth/o2/token" && method === "POST") {
        if (!(await applyFaults(parts, "token", undefined, res))) return;
        sendJson(res, 200, await parts.tokens.issue(req));
        return;
      }
      const route = matchAmcRoute(method, url.pathname);
      if (!route) throw new AmcHttpError(404, `No AMC endpoint for ${method} ${url.pathname}.`);
      const requestFaults = await applyFaults(parts, route.endpoint, route.instanceId, res);
      if (!requestFaults) return;
      checkAmcHeaders(parts.amcContext, req, route.instanceId);
      if (route.endpoint === "createExecution" && requestFaults.dropAfterCreate) {
        const execution = await createExecutionFromRequest(parts.amcContext, route.instanceId, req);
        parts.logger.debug(
          { executionId: execution.workflowExecutionId },
          "sandbox dropped the connection after creating an execution",
        );
        req.socket.destroy();
        return;
      }
      await handleAmcRoute(parts.amcContext, route, req, res, url);
    } catch (error) {
      sendError(parts, res, error);
    }
  };
}

/** Counts the request and applies its faults. Returns undefined when a fault sent the response. */
async function applyFaults(
  parts: HandlerParts,
  endpoint: EndpointName,
  instanceId: string | undefined,
  res: ServerResponse,
): Promise<RequestFaults | undefined> {
  parts.requests[endpoint] = (parts.requests[endpoint] ?? 0) + 1;
  const requestFaults = parts.faults.forRequest(endpoint, instanceId);
  if (requestFaults.delayMs > 0) await sleep(requestFaults.delayMs);
  const failure = requestFaults.failure;
  if (!failure) return requestFaults;
  if (failure.kind === "throttle") {
    const headers: Record<string, string> = {};
    if (failure.retryAfterSeconds !== undefined)
      headers["retry-after"] = String(failure.retryAfterSeconds);
    if (failure.htmlBody) {
      res.writeHead(429, { ...headers, "content-type": "text/html" });
      res.end(
        "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>",
      );
    } else {
      sendAmcError(res, new AmcHttpError(429, "Too Many Requests", headers));
    }
  } else if (failure.kind === "serverError") {
    sendAmcError(res, new AmcHttpError(500, "Internal Server Error"));
  } else {
    sendJson(res, 504, { message: "Endpoint request timed out" });
  }
  return undefined;
}

function sendError(parts: HandlerParts, res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof AmcHttpError) {
    sendAmcError(res, error);
  } else if (error instanceof TokenError) {
    sendJson(res, error.status, { error: error.error, error_description: error.description });
  } else {
    parts.logger.error({ err: error }, "sandbox request failed");
    sendAmcError(res, new AmcHttpError(500, "Internal Server Error"));
  }
}
