import { startApp, type App } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { createLogger, type Logger } from "./logger.ts";
import { startWebProcess, type WebProcess } from "./web-process.ts";

// Entry point of the server process, configured only by environment variables. With
// `--with-web` it also runs the built web app, so that one command starts the whole product.

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

function printUrls(app: App, web: WebProcess | undefined): void {
  const lines = [
    "",
    "amc-collections is running.",
    ...(web ? [`  Web app:  ${web.url}`] : []),
    `  GraphQL:  ${app.url}/graphql`,
    ...(app.config.sandbox.enabled
      ? [`  AMC sandbox: http://127.0.0.1:${app.config.sandbox.port}`]
      : []),
    "Press Ctrl-C to stop.",
    "",
  ];
  process.stderr.write(lines.join("\n") + "\n");
}

function handleSignals(logger: Logger, stopAll: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutdown requested");
    stopAll().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const withWeb = process.argv.includes("--with-web");
  let app: App;
  let web: WebProcess | undefined;
  try {
    app = await startApp({ config, logger });
  } catch (error) {
    const message =
      (error as NodeJS.ErrnoException).code === "EADDRINUSE"
        ? `PORT ${config.port} on ${config.host} is in use: stop the process that holds it, or ` +
          "set PORT to a free port."
        : (error as Error).message;
    logger.fatal({ err: error }, `server failed to start: ${message}`);
    process.exit(1);
  }
  handleSignals(logger, async () => {
    await web?.stop();
    await app.stop();
  });
  if (withWeb) {
    try {
      web = await startWebProcess({
        host: config.host,
        port: config.web.port,
        apiUrl: `${app.url}/graphql`,
        logger,
      });
    } catch (error) {
      logger.fatal({ err: error }, `web app failed to start: ${(error as Error).message}`);
      await app.stop();
      process.exit(1);
    }
  }
  printUrls(app, web);
}

void main();
