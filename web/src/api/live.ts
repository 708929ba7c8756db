"use client";

import { useEffect, useRef } from "react";
import { useQuery, type AnyVariables, type UseQueryArgs, type UseQueryResponse } from "urql";
import { useConnectionState } from "./provider.tsx";
import { useRefresh } from "./refresh.ts";

/**
 * Delay between a (re)connection and the catch-up refetch. graphql-ws reports a subscription
 * as started before the server has registered it, so a refetch sent at once could read the
 * database before an event that the subscription would then miss.
 */
const catchUpDelayMs = 300;

/**
 * Runs a query that subscriptions keep current. The query is fetched again from the network
 * shortly after the view mounts and after every reconnect of the WebSocket, which brings the
 * view back to the server's state after events it could not receive. It never polls.
 */
export function useLiveQuery<Data, Variables extends AnyVariables>(
  args: UseQueryArgs<Variables, Data>,
): UseQueryResponse<Data, Variables> {
  const response = useQuery<Data, Variables>(args);
  const refresh = useRefresh(response[0].fetching, response[1]);
  const { epoch } = useConnectionState();
  const variablesKey = JSON.stringify(args.variables ?? {});

  // A failed refetch returns no data, so the last data for the same variables stays on screen
  // beside the error instead of the view going blank while the API is unreachable.
  const lastData = useRef<{ key: string; data: Data } | null>(null);
  const [state, reexecute] = response;
  if (state.data !== undefined) lastData.current = { key: variablesKey, data: state.data };
  const kept = lastData.current?.key === variablesKey ? lastData.current.data : undefined;
  const shown =
    state.data === undefined && state.error && kept !== undefined
      ? { ...state, data: kept }
      : state;

  useEffect(() => {
    if (epoch === 0 || args.pause) return;
    const timer = setTimeout(refresh, catchUpDelayMs);
    return () => clearTimeout(timer);
  }, [epoch, args.pause, variablesKey, refresh]);

  return [shown, reexecute];
}
