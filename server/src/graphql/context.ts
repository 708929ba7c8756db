import type { YogaInitialContext } from "graphql-yoga";
import type { AmcInstanceStats } from "../amc/stats.ts";
import type { Viewer } from "../auth/roles.ts";
import type { Execution, PrismaClient } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import type { ChangeBus } from "../events/change-bus.ts";
import type { BatchLoaders } from "./loaders.ts";

/** Cancels executions at AMC before their rows are deleted; failures are logged, not raised. */
export type CancelAmcExecutions = (executions: Execution[]) => Promise<void>;

/** Long-lived services the resolvers use, shared by every request of a process. */
export interface GraphQLServices {
  prisma: PrismaClient;
  logger: Logger;
  changes: ChangeBus;
  /** Key that encrypts account credentials. */
  secretKey: Buffer;
  /** Most weeks a new collection may have (MAX_WEEKS_PER_COLLECTION). */
  maxWeeksPerCollection: number;
  /** Stops AMC executions before a collection is deleted; absent when no AMC client runs. */
  cancelAmcExecutions?: CancelAmcExecutions;
  /** Returns AMC API figures per instance; absent when no AMC client runs. */
  amcApiStats?: () => AmcInstanceStats[];
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
