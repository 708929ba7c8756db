import type { YogaInitialContext } from "graphql-yoga";
import type { Viewer } from "../auth/roles.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import type { ChangeBus } from "../events/change-bus.ts";
import type { BatchLoaders } from "./loaders.ts";

/** Cancels the in-flight AMC executions of a collection; deleteCollection calls it best effort. */
export type CancelAmcExecutions = (collectionId: string) => Promise<void>;

/** Per-instance AMC API statistics, in the shape the operator metrics fields return. */
export interface AmcApiStats {
  /** Our database id of the instance. */
  instanceId: string;
  requestCount: number;
  errorCount: number;
  throttledCount: number;
  averageResponseMs: number | null;
  p95ResponseMs: number | null;
}

/** Long-lived services the resolvers use, shared by every request of a process. */
export interface GraphQLServices {
  prisma: PrismaClient;
  logger: Logger;
  changes: ChangeBus;
  /** Stops AMC executions before a collection is deleted; absent when no AMC client runs. */
  cancelAmcExecutions?: CancelAmcExecutions;
  /** Returns AMC API statistics per instance; absent when no AMC client runs. */
  amcApiStats?: () => AmcApiStats[];
}

/** Context of one GraphQL operation: the services, the caller and per-operation loaders. */
export interface GraphQLContext extends GraphQLServices {
  viewer: Viewer;
  loaders: BatchLoaders;
}

/** Context yoga passes into `context` factories, plus what graphql-ws adds for subscriptions. */
export type InitialContext = YogaInitialContext & {
  connectionParams?: Record<string, unknown>;
};
