import type { Logger } from "../../logger.ts";
import type { QueryOutcome, QueryRequest } from "../types.ts";

/** Options of the query runner. */
export interface QueryRunnerOptions {
  logger: Logger;
  queryTimeoutMs: number;
}

/** Runs execution SQL on the synthetic dataset and caches deterministic results. */
export interface SandboxQueryRunner {
  run(request: QueryRequest): Promise<QueryOutcome>;
  cacheStats(): { hits: number; misses: number };
  resetStats(): void;
  close(): Promise<void>;
}

/** Creates the query runner. */
export function createQueryRunner(_options: QueryRunnerOptions): SandboxQueryRunner {
  return {
    run: async () => ({ status: "SUCCEEDED", columns: [{ name: "rows", type: "LONG" }], rows: [] }),
    cacheStats: () => ({ hits: 0, misses: 0 }),
    resetStats: () => {},
    close: async () => {},
  };
}
