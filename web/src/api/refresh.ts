"use client";

import { useCallback, useEffect, useRef } from "react";
import type { UseQueryExecute } from "urql";

/**
 * Returns a function that fetches a query again from the network. urql drops a request for an
 * operation that is already in flight, and that fetch may have read the server before the change
 * that prompted the refresh. So a refresh requested during a fetch runs once the fetch finishes.
 */
export function useRefresh(fetching: boolean, reexecute: UseQueryExecute): () => void {
  const pending = useRef(false);
  const latest = useRef({ fetching, reexecute });
  latest.current = { fetching, reexecute };

  useEffect(() => {
    if (fetching || !pending.current) return;
    pending.current = false;
    reexecute({ requestPolicy: "network-only" });
  }, [fetching, reexecute]);

  return useCallback(() => {
    if (latest.current.fetching) {
      pending.current = true;
      return;
    }
    latest.current.reexecute({ requestPolicy: "network-only" });
  }, []);
}
