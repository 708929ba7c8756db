"use client";

import { createContext, useContext, useState, useSyncExternalStore, type ReactNode } from "react";
import { Provider as UrqlProvider, type Client } from "urql";
import { createApiClient, createInertClient } from "./client.ts";
import { ConnectionStore, type ConnectionState } from "./connection-store.ts";
import { readApiToken } from "./token-storage.ts";

const ConnectionContext = createContext<ConnectionStore | null>(null);
const ApiUrlContext = createContext<string>("");

/** Server-side stand-in: the page renders as "connecting" until the browser takes over. */
const serverConnection = new ConnectionStore();

interface ApiState {
  client: Client;
  connection: ConnectionStore;
}

function createApiState(apiUrl: string): ApiState {
  if (typeof window === "undefined") {
    return { client: createInertClient(apiUrl), connection: serverConnection };
  }
  const connection = new ConnectionStore();
  const token = readApiToken();
  return { client: createApiClient({ apiUrl, token, connection }), connection };
}

/** Provides the urql client and the WebSocket state to every page. */
export function ApiProvider({ apiUrl, children }: { apiUrl: string; children: ReactNode }) {
  const [state] = useState(() => createApiState(apiUrl));
  return (
    <ApiUrlContext.Provider value={apiUrl}>
      <ConnectionContext.Provider value={state.connection}>
        <UrqlProvider value={state.client}>{children}</UrqlProvider>
      </ConnectionContext.Provider>
    </ApiUrlContext.Provider>
  );
}

/** Returns the current WebSocket state and re-renders when it changes. */
export function useConnectionState(): ConnectionState {
  const store = useContext(ConnectionContext);
  if (!store) throw new Error("useConnectionState must be used inside ApiProvider.");
  return useSyncExternalStore(store.subscribe, store.getSnapshot, serverConnection.getSnapshot);
}

/** Returns the URL of a plain HTTP route of the API server, such as a CSV export. */
export function useApiRouteUrl(path: string): string {
  const apiUrl = useContext(ApiUrlContext);
  return new URL(path, apiUrl).toString();
}
