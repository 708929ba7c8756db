import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, createWriteStream } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  apiPort,
  backendPort,
  backendUrl,
  controlPort,
  sandboxExecutionMs,
  sandboxPort,
  webPort,
} from "./stack.ts";

// Runs the real server process for the end-to-end suite behind a TCP proxy that tests control.
// POST /cut drops every connection through the proxy and rejects new ones, so the browser's
// WebSocket breaks as in a network failure. POST /restore accepts connections again, and
// POST /restart stops the server process and starts it again on the same data directory.
// The AMC sandbox runs as its own process, so executions in flight survive a server restart as
// they do on AMC. Playwright's webServer starts this script and waits for /ready through the proxy.

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../server");
const dataDir = mkdtempSync(path.join(tmpdir(), "amc-collections-e2e-"));
const logPath = process.env.E2E_SERVER_LOG ?? path.join(tmpdir(), "amc-collections-e2e-server.log");
const logFile = createWriteStream(logPath, { flags: "w" });

const serverEnv: NodeJS.ProcessEnv = {
  ...process.env,
  HOST: "127.0.0.1",
  PORT: String(backendPort),
  DATA_DIR: dataDir,
  DATABASE_URL: "",
  // The account that global setup creates points at the separate sandbox process.
  AMC_SANDBOX: "off",
  ALLOWED_ORIGINS: `http://127.0.0.1:${webPort},http://localhost:${webPort}`,
  SCHEDULER_TICK_MS: "100",
  POLL_INTERVAL_MIN_MS: "100",
  POLL_INTERVAL_MAX_MS: "300",
  RETRY_BASE_DELAY_MS: "200",
  RETRY_MAX_DELAY_MS: "1000",
  MAX_ATTEMPTS: "1",
  // Few weeks at once, so that a collection of 12 weeks runs in several rounds that a test can
  // pause between.
  MAX_RUNNING_WEEKS_PER_COLLECTION: "4",
  LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "info",
  NODE_ENV: "production",
};

const sandboxEnv: NodeJS.ProcessEnv = {
  ...process.env,
  AMC_SANDBOX_PORT: String(sandboxPort),
  AMC_SANDBOX_EXECUTION_MS: String(sandboxExecutionMs),
  LOG_LEVEL: serverEnv.LOG_LEVEL,
};

let server: ChildProcess | null = null;

function spawnLogged(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: serverDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(logFile, { end: false });
  child.stderr?.pipe(logFile, { end: false });
  return child;
}

const sandbox = spawnLogged("src/sandbox/main.ts", sandboxEnv);

function startServer(): void {
  const child = spawnLogged("src/main.ts", serverEnv);
  child.on("exit", (code, signal) => {
    logFile.write(`supervisor: server exited with code ${code} and signal ${signal}\n`);
    if (server === child) server = null;
  });
  server = child;
}

async function stopServer(): Promise<void> {
  const child = server;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitUntilReady(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await fetch(`${backendUrl}/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `The server at ${backendUrl} was not ready within ${timeoutMs} ms; see the server log.`,
  );
}

// The proxy: each client connection gets its own connection to the server process.
const proxied = new Set<Socket>();
let cut = false;

const proxy = createTcpServer((client) => {
  if (cut) {
    client.destroy();
    return;
  }
  const upstream = connect(backendPort, "127.0.0.1");
  for (const socket of [client, upstream]) {
    proxied.add(socket);
    socket.once("close", () => proxied.delete(socket));
    socket.on("error", () => {
      client.destroy();
      upstream.destroy();
    });
  }
  client.pipe(upstream);
  upstream.pipe(client);
  client.once("close", () => upstream.destroy());
  upstream.once("close", () => client.destroy());
});

function cutConnections(): void {
  cut = true;
  for (const socket of proxied) socket.destroy();
}

const control = createHttpServer((req, res) => {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const action = `${req.method} ${req.url}`;
  const run = async () => {
    if (action === "POST /cut") cutConnections();
    else if (action === "POST /restore") cut = false;
    else if (action === "POST /restart") {
      await stopServer();
      startServer();
      await waitUntilReady(60_000);
    } else return reply(404, { error: `unknown control route ${action}` });
    reply(200, { ok: true, cut });
  };
  run().catch((error: unknown) => reply(500, { error: String(error) }));
});

async function shutdown(): Promise<void> {
  cutConnections();
  proxy.close();
  control.close();
  await stopServer();
  sandbox.kill("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());

startServer();
proxy.listen(apiPort, "127.0.0.1");
control.listen(controlPort, "127.0.0.1");
logFile.write(
  `supervisor: proxy on ${apiPort}, server on ${backendPort}, control on ${controlPort}, data in ${dataDir}\n`,
);
