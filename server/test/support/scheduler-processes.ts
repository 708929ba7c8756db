import type { ChildProcess } from "node:child_process";
import type { FaultRule, SandboxStats } from "../../src/sandbox/index.ts";
import { spawnTsx, waitForExit, waitForOutput } from "./processes.ts";
import { testSecretKey } from "./scheduler-harness.ts";
import { testPostgresUrl } from "./database.ts";

// Separate processes for scheduler tests: the standalone AMC sandbox and server replicas, all on
// loopback. Tests drive the sandbox through its /_sandbox/ control routes.

/** A sandbox running in its own process. */
export interface SandboxProcess {
  url: string;
  pid: number | undefined;
  stats(): Promise<SandboxStats>;
  addFault(rule: FaultRule): Promise<string>;
  clearFaults(): Promise<void>;
  setExecutionDurationMs(durationMs: number): Promise<void>;
  stop(): Promise<void>;
}

async function control(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}/_sandbox/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(
      `Sandbox ${method} ${path} failed: ${response.status} ${await response.text()}`,
    );
  return response.json() as Promise<unknown>;
}

/** Starts the standalone sandbox on a free loopback port. */
export async function startSandboxProcess(executionDurationMs: number): Promise<SandboxProcess> {
  const child = spawnTsx("src/sandbox/main.ts", {
    AMC_SANDBOX_PORT: "0",
    AMC_SANDBOX_EXECUTION_MS: String(executionDurationMs),
    LOG_LEVEL: "info",
  });
  const output = await waitForOutput(child, /AMC sandbox listening/, 60_000);
  const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output)?.[1];
  if (!url) throw new Error(`Sandbox printed no URL:\n${output}`);
  const exited = waitForExit(child, 3_600_000);
  return {
    url,
    pid: child.pid,
    stats: () => control(url, "GET", "stats") as Promise<SandboxStats>,
    addFault: async (rule) => ((await control(url, "POST", "faults", rule)) as { id: string }).id,
    clearFaults: async () => {
      await control(url, "DELETE", "faults");
    },
    setExecutionDurationMs: async (durationMs) => {
      await control(url, "PUT", "config", { executionDurationMs: durationMs });
    },
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A server replica: the whole server process with the scheduler on. */
export interface Replica {
  child: ChildProcess;
  /** Base URL of its HTTP server. */
  url: string;
  /** Everything the process printed so far. */
  output(): string;
  /** Lines of output whose log message is `message`. */
  countLogs(message: string): number;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Environment of a replica with short test timings. */
export function replicaEnv(
  schema: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: testPostgresUrl,
    DATABASE_SCHEMA: schema,
    DATABASE_POOL_SIZE: "12",
    SECRET_KEY: testSecretKey.toString("hex"),
    PORT: "0",
    AMC_SANDBOX: "off",
    LOG_LEVEL: "info",
    SCHEDULER_TICK_MS: "200",
    LEASE_DURATION_MS: "2000",
    POLL_INTERVAL_MIN_MS: "10",
    POLL_INTERVAL_MAX_MS: "200",
    RETRY_BASE_DELAY_MS: "20",
    RETRY_MAX_DELAY_MS: "200",
    AMC_REQUESTS_PER_SECOND: "2000",
    ...extra,
  };
}

/**
 * Environment of a server on the embedded database in `dataDir`, with the test timings of
 * `replicaEnv`.
 */
export function embeddedServerEnv(
  dataDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  // An empty DATABASE_URL counts as unset, which selects the embedded database.
  return { ...replicaEnv(""), DATABASE_URL: "", DATABASE_SCHEMA: "", DATA_DIR: dataDir, ...extra };
}

/** Starts a replica and resolves once it listens. */
export async function startReplica(
  schema: string,
  extra: Record<string, string> = {},
): Promise<Replica> {
  return startServerProcess(replicaEnv(schema, extra));
}

/** Starts a server process with `env` and resolves once it listens. */
export async function startServerProcess(env: Record<string, string>): Promise<Replica> {
  const child = spawnTsx("src/main.ts", env);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const started = await waitForOutput(child, /server listening/, 90_000);
  const url = /"url":"(http:\/\/[^"]+)"/.exec(started)?.[1];
  return {
    child,
    url: url ?? "",
    output: () => output,
    countLogs: (message) =>
      output.split("\n").filter((line) => line.includes(`"msg":"${message}"`)).length,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
