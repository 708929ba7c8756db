import { Client, fetchExchange, subscriptionExchange, type Exchange } from "@urql/core";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { reconnectDelayMs } from "./backoff.ts";
import { createCache } from "./cache.ts";
import type { ConnectionStore } from "./connection-store.ts";
import { versionGuardExchange } from "./version-guard.ts";

/** Settings of the browser's API client. */
export interface ApiClientOptions {
  /** GraphQL endpoint over HTTP, for example http://127.0.0.1:4000/graphql. */
  apiUrl: string;
  /** Bearer token, when the server requires one. */
  token?: string;
  connection: ConnectionStore;
}

/** Returns the ws:// (or wss://) URL of the same endpoint. */
export function toWebSocketUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

function createSocket({ apiUrl, token, connection }: ApiClientOptions): WsClient {
  return createWsClient({
    url: toWebSocketUrl(apiUrl),
    // Connect at once and stay connected, so the indicator shows the real state even on
    // pages without subscriptions.
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryWait: async (retries) => {
      const delayMs = reconnectDelayMs(retries);
      connection.markRetryScheduled(retries + 1, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    },
    // Retries are endless and shown by the indicator, so a failed attempt needs no log line.
    onNonLazyError: () => {},
    on: {
      connected: () => connection.markConnected(),
      closed: () => connection.markClosed(),
    },
  });
}

/** Creates the urql client: Graphcache, then the version guard, then HTTP and WebSocket. */
export function createApiClient(options: ApiClientOptions): Client {
  const socket = createSocket(options);
  const exchanges: Exchange[] = [
    createCache(),
    versionGuardExchange(),
    fetchExchange,
    subscriptionExchange({
      forwardSubscription(request) {
        const input = { ...request, query: request.query ?? "" };
        return {
          subscribe(sink) {
            const dispose = socket.subscribe(input, sink);
            return { unsubscribe: dispose };
          },
        };
      },
    }),
  ];
  return new Client({
    url: options.apiUrl,
    exchanges,
    preferGetMethod: false,
    fetchOptions: (): RequestInit =>
      options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {},
  });
}

/**
 * Creates a client for server-side rendering that sends nothing: pages render their loading
 * state on the server, and the browser fetches the data over its own connections.
 */
export function createInertClient(apiUrl: string): Client {
  return new Client({ url: apiUrl, exchanges: [] });
}
