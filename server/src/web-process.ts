import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import type { Logger } from "./logger.ts";

// Runs the built Next.js app (`next start`) as a child of the server process, so that one
// command starts the whole product. The web app must have been built with `next build` first.

const webDir = path.resolve(import.meta.dirname, "../../web");

/** The running web app. */
export interface WebProcess {
  url: string;
  stop(): Promise<void>;
}

/** Starts `next start` on `port` and resolves once it accepts requests. */
export async function startWebProcess(options: {
  host: string;
  port: number;
  apiUrl: string;
  logger: Logger;
}): Promise<WebProcess> {
  const { host, port, apiUrl, logger } = options;
  const require = createRequire(path.join(webDir, "package.json"));
  const nextBin = require.resolve("next/dist/bin/next");
  const child: ChildProcess = spawn(
    process.execPath,
    [nextBin, "start", "--hostname", host, "--port", String(port)],
    {
      cwd: webDir,
      env: {
        ...process.env,
        NEXT_TELEMETRY_DISABLED: "1",
        API_URL: apiUrl,
        PORT: String(port),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const log = logger.child({ component: "web" });
  child.stdout?.on("data", (chunk: Buffer) => log.debug(chunk.toString().trim()));
  child.stderr?.on("data", (chunk: Buffer) => log.warn(chunk.toString().trim()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));

  const url = `http://${host}:${port}`;
  await waitUntilServing(url, exited);
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

async function waitUntilServing(url: string, exited: Promise<number | null>): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(
        `The web app exited with code ${exitCode} while starting. Build it first with ` +
          "`pnpm --filter ./web build`, or start the API alone with `pnpm --filter ./server start`.",
      );
    }
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`The web app did not respond at ${url} within 60 s.`);
}
