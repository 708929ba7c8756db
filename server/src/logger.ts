import { pino, type Logger } from "pino";

export type { Logger };

/** Field paths whose values never reach the log, wherever they appear in a logged object. */
const redactedPaths = [
  "password",
  "secret",
  "token",
  "accessToken",
  "access_token",
  "refreshToken",
  "refresh_token",
  "clientSecret",
  "client_secret",
  "credentials",
  "authorization",
  "*.password",
  "*.secret",
  "*.token",
  "*.accessToken",
  "*.access_token",
  "*.refreshToken",
  "*.refresh_token",
  "*.clientSecret",
  "*.client_secret",
  "*.credentials",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.Authorization",
];

/** Creates the process logger: JSON lines on stdout, secrets redacted. */
export function createLogger(level: string = "info", name = "amc-collections"): Logger {
  return pino({
    name,
    level,
    redact: { paths: redactedPaths, censor: "[redacted]" },
    base: { pid: process.pid },
  });
}
