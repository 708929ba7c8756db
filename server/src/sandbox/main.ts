import { createLogger } from "../logger.ts";
import { startSandbox } from "./sandbox.ts";

// Runs the AMC sandbox as its own process, so that several server replicas in a multi-process
// test can share one sandbox. Settings: AMC_SANDBOX_PORT (default 4010),
// AMC_SANDBOX_EXECUTION_MS (default 3000), LOG_LEVEL (default info).

function readInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name}="${raw}" is invalid: expected a whole number >= 0.`);
    process.exit(1);
  }
  return value;
}

async function main(): Promise<void> {
  const logger = createLogger(process.env.LOG_LEVEL ?? "info", "amc-sandbox");
  const sandbox = await startSandbox({
    logger,
    port: readInteger("AMC_SANDBOX_PORT", 4010),
    executionDurationMs: readInteger("AMC_SANDBOX_EXECUTION_MS", 3000),
  });
  const shutdown = (signal: string) => {
    logger.info({ signal }, "AMC sandbox shutdown requested");
    sandbox.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "AMC sandbox shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

void main();
