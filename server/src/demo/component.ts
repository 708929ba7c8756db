import type { Component } from "../app.ts";
import { startSandbox, type Sandbox } from "../sandbox/index.ts";
import { seedDemoContent } from "./seed.ts";

// Starts the local AMC sandbox inside the server process when AMC_SANDBOX is on, and seeds the
// demo content that points at it. Stopping the server stops the sandbox.

/** Returns true when an AMC sandbox serves its stats route at `url`. */
async function isSandboxAt(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/_sandbox/stats`, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return false;
    const stats = (await response.json()) as { executionsCreated?: unknown };
    return typeof stats.executionsCreated === "object" && stats.executionsCreated !== null;
  } catch {
    return false;
  }
}

/** Attaches the AMC sandbox and the demo content. */
export const sandboxComponent: Component = async ({
  config,
  logger,
  database,
  secretKey,
  parts,
}) => {
  if (!config.sandbox.enabled) return;
  let sandbox: Sandbox | undefined;
  let apiBaseUrl = `http://127.0.0.1:${config.sandbox.port}`;
  try {
    sandbox = await startSandbox({
      logger,
      port: config.sandbox.port,
      executionDurationMs: config.sandbox.executionDurationMs,
    });
    apiBaseUrl = sandbox.url;
  } catch (error) {
    // Several replicas on one machine share one sandbox: the first one to start serves it.
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    // The seeded credentials go to whatever listens there, so it must really be a sandbox.
    if (!(await isSandboxAt(apiBaseUrl))) {
      throw new Error(
        `AMC_SANDBOX_PORT ${config.sandbox.port} is in use by a process that is not an AMC ` +
          "sandbox: set AMC_SANDBOX_PORT to a free port, or AMC_SANDBOX=off.",
        { cause: error },
      );
    }
    logger.warn(
      { port: config.sandbox.port },
      "AMC sandbox port is in use; using the sandbox that another process serves there",
    );
  }
  if (sandbox) {
    const running = sandbox;
    parts.stoppers.push(() => running.stop());
  }
  await seedDemoContent(
    database.prisma,
    secretKey,
    { apiBaseUrl, tokenUrl: `${apiBaseUrl}/auth/o2/token` },
    logger,
  );
};
