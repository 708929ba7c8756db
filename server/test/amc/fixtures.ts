import { pino, type Logger } from "pino";
import {
  createAmcClient,
  type AmcClientOptions,
  type AmcHttpClient,
} from "../../src/amc/client.ts";
import type { AmcAccountConnection } from "../../src/amc/types.ts";

// Shared pieces of the AMC client tests: an account pointing at a loopback server, a client
// with small delays, and a logger whose lines the test can read.

/** Secrets of the test account, long enough to be recognisable in any output. */
export const testSecrets = {
  clientSecret: "client-secret-3f1d9a7be2c4",
  refreshToken: "Atzr|refresh-token-8c21e5f0a9b7",
};

/** Returns an account whose API and token endpoint are the given loopback server. */
export function testAccount(
  server: { url: string; tokenUrl: string },
  overrides: Partial<AmcAccountConnection> = {},
): AmcAccountConnection {
  return {
    accountId: "account-1",
    apiBaseUrl: server.url,
    tokenUrl: server.tokenUrl,
    entityId: "ENTITY1TESTADVERTISER",
    marketplaceId: "ATVPDKIKX0DER",
    clientId: "amzn1.application-oa2-client.test",
    ...testSecrets,
    ...overrides,
  };
}

/** Creates a logger that keeps every line, at trace level, without any redaction of its own. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: "trace" }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

/** Creates a client with fast retries, so fault tests finish in milliseconds. */
export function testClient(options: Partial<AmcClientOptions> = {}): AmcHttpClient {
  return createAmcClient({
    requestTimeoutMs: 2000,
    requestsPerSecond: 1000,
    random: () => 0.5,
    ...options,
    retry: { baseDelayMs: 5, maxDelayMs: 50, ...options.retry },
  });
}

/** A create request for one Monday-to-Monday week. */
export const weekRequest = {
  amcInstanceId: "amcabc123",
  workflowId: "weekly-delivery",
  timeWindowStart: "2026-03-02T00:00:00",
  timeWindowEnd: "2026-03-09T00:00:00",
  timeWindowTimeZone: "UTC",
};

/** Creates a clock that only moves when the test advances it or the client sleeps. */
export function manualClock(startMs = Date.UTC(2026, 2, 2)) {
  let nowMs = startMs;
  const sleeps: number[] = [];
  return {
    now: () => nowMs,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      nowMs += Math.max(0, ms);
    },
    advance(ms: number): void {
      nowMs += ms;
    },
    /** Every sleep the client requested, in milliseconds. */
    sleeps,
  };
}
