import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

// A small AMC look-alike on loopback for the client's fault tests. It keeps executions and
// workflows in memory, issues Login with Amazon tokens and serves multi-part result files.
// A test can script the next responses of any route: a status with headers and body, a delay,
// or a connection dropped before or after the request was handled.

/** One response a test queues for a route, sent instead of the normal handler's. */
export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Delay before responding. */
  delayMs?: number;
  /** Close the socket without responding; "after" handles the request first. */
  drop?: "before" | "after";
  /** Wrap the normal handler's JSON body in this field. */
  wrapIn?: string;
  /** Put the request's headers and body into the error details, as a careless server might. */
  echoRequest?: boolean;
}

/** A request the server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
  /** Date.now() when the request's body had arrived. */
  receivedAtMs: number;
}

interface Script {
  method: string;
  path: RegExp;
  responses: ScriptedResponse[];
}

interface StoredExecution {
  workflowExecutionId: string;
  workflowId: string;
  status: string;
  createTime: string;
  lastUpdatedTime: string;
  timeWindowStart: string;
  timeWindowEnd: string;
  timeWindowTimeZone: string;
}

/** Settings of the scripted server. */
export interface ScriptedServerOptions {
  /** expires_in of issued access tokens, in seconds. */
  tokenLifetimeSeconds?: number;
  /** Delay of each token response, so concurrent refreshes overlap. */
  tokenDelayMs?: number;
}

export type ScriptedAmcServer = Awaited<ReturnType<typeof startScriptedAmcServer>>;

/** Starts the server on 127.0.0.1 and a free port. */
export async function startScriptedAmcServer(options: ScriptedServerOptions = {}) {
  const requests: RecordedRequest[] = [];
  const scripts: Script[] = [];
  const validTokens = new Set<string>();
  const executions = new Map<string, Map<string, StoredExecution>>();
  const workflows = new Map<string, Record<string, unknown>>();
  const resultFiles = new Map<string, string>();
  const sockets = new Set<Socket>();
  let tokenCount = 0;
  let tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3600;

  function nextScripted(method: string, path: string): ScriptedResponse | undefined {
    for (const script of scripts) {
      if (script.method === method && script.path.test(path) && script.responses.length > 0) {
        return script.responses.shift();
      }
    }
    return undefined;
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}): void {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body === undefined ? "" : JSON.stringify(body));
  }

  function handleToken(req: RecordedRequest, res: ServerResponse): void {
    const form = new URLSearchParams(req.body);
    if (form.get("grant_type") !== "refresh_token" || !form.get("refresh_token")) {
      sendJson(res, 400, { error: "invalid_request", error_description: "missing refresh_token" });
      return;
    }
    if (form.get("refresh_token") === "revoked-refresh-token-0000") {
      sendJson(res, 400, {
        error: "invalid_grant",
        error_description: `The refresh token ${form.get("refresh_token")} is invalid`,
      });
      return;
    }
    tokenCount += 1;
    const accessToken = `Atza|access-${tokenCount}-${randomUUID()}`;
    validTokens.add(accessToken);
    sendJson(res, 200, {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: tokenLifetimeSeconds,
      refresh_token: form.get("refresh_token"),
    });
  }

  function instanceExecutions(instanceId: string): Map<string, StoredExecution> {
    let map = executions.get(instanceId);
    if (!map) {
      map = new Map();
      executions.set(instanceId, map);
    }
    return map;
  }

  /** The normal AMC behaviour; returns [status, body]. */
  function handleAmc(instanceId: string, rest: string, req: RecordedRequest): [number, unknown] {
    const byId = instanceExecutions(instanceId);
    const now = new Date().toISOString();
    const body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
    if (req.method === "POST" && rest === "/workflowExecutions") {
      if (Boolean(body.workflowId) === Boolean(body.workflow)) {
        return [400, { code: "400", details: "Specify exactly one of workflowId and workflow." }];
      }
      const execution: StoredExecution = {
        workflowExecutionId: randomUUID(),
        workflowId: (body.workflowId as string) ?? `transient_${randomUUID()}`,
        status: "PENDING",
        createTime: now,
        lastUpdatedTime: now,
        timeWindowStart: String(body.timeWindowStart),
        timeWindowEnd: String(body.timeWindowEnd),
        timeWindowTimeZone: String(body.timeWindowTimeZone ?? "UTC"),
      };
      byId.set(execution.workflowExecutionId, execution);
      return [200, execution];
    }
    if (req.method === "GET" && rest === "/workflowExecutions") {
      const workflowId = req.query.get("workflowId");
      const limit = Number(req.query.get("limit") ?? 100);
      const offset = Number(req.query.get("nextToken") ?? 0);
      const matching = [...byId.values()]
        .filter((execution) => !workflowId || execution.workflowId === workflowId)
        .reverse();
      const page = matching.slice(offset, offset + limit);
      const nextToken = offset + limit < matching.length ? String(offset + limit) : undefined;
      return [200, { executions: page, ...(nextToken ? { nextToken } : {}) }];
    }
    const executionMatch = /^\/workflowExecutions\/([^/]+)(\/downloadUrls)?$/.exec(rest);
    if (executionMatch) {
      const execution = byId.get(decodeURIComponent(executionMatch[1] ?? ""));
      if (!execution) return [404, { code: "404", details: "Execution not found" }];
      if (executionMatch[2]) {
        if (execution.status !== "SUCCEEDED") {
          return [
            400,
            {
              code: "400",
              details: `Execution with ID ${execution.workflowExecutionId} is unavailable for download`,
            },
          ];
        }
        const urls = [...resultFiles.keys()]
          .filter((key) => key.startsWith(`${execution.workflowExecutionId}/`))
          .map((key) => `${server.url}/files/${key}?X-Amz-Signature=sig-${randomUUID()}`);
        return [200, { downloadUrls: urls, metadataDownloadUrls: [] }];
      }
      if (req.method === "PUT") {
        execution.status = "CANCELLED";
        execution.lastUpdatedTime = now;
      }
      return [200, execution];
    }
    if (req.method === "POST" && rest === "/workflows") {
      const workflowId = String(body.workflowId);
      if (workflows.has(`${instanceId}/${workflowId}`)) {
        return [400, { code: "400", details: `Workflow with ID ${workflowId} already exists.` }];
      }
      workflows.set(`${instanceId}/${workflowId}`, body);
      return [200, body];
    }
    const workflowMatch = /^\/workflows\/([^/]+)$/.exec(rest);
    if (workflowMatch) {
      const key = `${instanceId}/${decodeURIComponent(workflowMatch[1] ?? "")}`;
      const stored = workflows.get(key);
      if (!stored) return [404, { code: "404", details: "Workflow not found" }];
      if (req.method === "PUT") workflows.set(key, body);
      if (req.method === "DELETE") {
        workflows.delete(key);
        return [200, undefined];
      }
      return [200, workflows.get(key)];
    }
    return [404, { code: "404", details: `No route for ${req.method} ${rest}` }];
  }

  async function readRequest(req: IncomingMessage): Promise<RecordedRequest> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    return {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
      receivedAtMs: Date.now(),
    };
  }

  function sendScripted(
    scripted: ScriptedResponse & { status: number },
    recorded: RecordedRequest,
    res: ServerResponse,
  ): void {
    let body = scripted.body;
    if (scripted.echoRequest) {
      body = { code: "EchoedRequest", details: JSON.stringify({ ...recorded, query: undefined }) };
    }
    let text = "";
    if (typeof body === "string") text = body;
    else if (body !== undefined) text = JSON.stringify(body);
    const contentType = typeof body === "string" ? {} : { "content-type": "application/json" };
    res.writeHead(scripted.status, { ...contentType, ...scripted.headers });
    res.end(text);
  }

  function serveFile(path: string, res: ServerResponse): void {
    const content = resultFiles.get(path.slice("/files/".length));
    if (content === undefined) {
      res.writeHead(404).end("<Error><Code>NoSuchKey</Code></Error>");
      return;
    }
    res.writeHead(200, { "content-type": "text/csv" });
    res.end(content);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const recorded = await readRequest(req);
    requests.push(recorded);

    const scripted = nextScripted(recorded.method, recorded.path);
    if (scripted?.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs));
    if (scripted?.drop === "before") {
      req.socket.destroy();
      return;
    }
    if (scripted?.status !== undefined) {
      sendScripted({ ...scripted, status: scripted.status }, recorded, res);
      return;
    }

    if (recorded.path === "/auth/o2/token" && recorded.method === "POST") {
      if (options.tokenDelayMs) {
        await new Promise((resolve) => setTimeout(resolve, options.tokenDelayMs));
      }
      handleToken(recorded, res);
      return;
    }
    if (recorded.path.startsWith("/files/")) {
      serveFile(recorded.path, res);
      return;
    }

    const amcMatch = /^\/amc\/reporting\/([^/]+)(\/.*)$/.exec(recorded.path);
    if (!amcMatch) {
      sendJson(res, 404, { code: "404", details: "Not found" });
      return;
    }
    const authorization = recorded.headers.authorization ?? "";
    if (!validTokens.has(authorization.replace(/^Bearer /, ""))) {
      sendJson(res, 401, { code: "401", details: "Unauthorized" });
      return;
    }
    const instanceId = decodeURIComponent(amcMatch[1] ?? "");
    const [status, body] = handleAmc(instanceId, amcMatch[2] ?? "", recorded);
    if (scripted?.drop === "after") {
      req.socket.destroy();
      return;
    }
    sendJson(res, status, scripted?.wrapIn && body ? { [scripted.wrapIn]: body } : body);
  }

  const httpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { code: "500", details: String(error) });
    });
  });
  httpServer.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address() as AddressInfo;

  const server = {
    url: `http://127.0.0.1:${port}`,
    tokenUrl: `http://127.0.0.1:${port}/auth/o2/token`,
    requests,
    /** Queues responses for requests whose method and path match, in order. */
    script(method: string, path: RegExp, ...responses: ScriptedResponse[]): void {
      scripts.push({ method, path, responses });
    },
    /** Drops every queued response. */
    clearScripts(): void {
      scripts.length = 0;
    },
    /** Makes every access token issued so far invalid, as if it expired on the server. */
    expireAccessTokens(): void {
      validTokens.clear();
    },
    setTokenLifetimeSeconds(seconds: number): void {
      tokenLifetimeSeconds = seconds;
    },
    tokenRequests(): RecordedRequest[] {
      return requests.filter((request) => request.path === "/auth/o2/token");
    },
    amcRequests(): RecordedRequest[] {
      return requests.filter((request) => request.path.startsWith("/amc/"));
    },
    /** Sets an execution's status, as AMC's own progress would. */
    setStatus(instanceId: string, executionId: string, status: string): void {
      const execution = instanceExecutions(instanceId).get(executionId);
      if (!execution) throw new Error(`No execution ${executionId} on instance ${instanceId}.`);
      execution.status = status;
    },
    /** Adds a result file of an execution, served at /files/{executionId}/{name}. */
    addResultFile(executionId: string, name: string, content: string): void {
      resultFiles.set(`${executionId}/${name}`, content);
    },
    executionCount(instanceId: string): number {
      return instanceExecutions(instanceId).size;
    },
    async stop(): Promise<void> {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
  return server;
}
