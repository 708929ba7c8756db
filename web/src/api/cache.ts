import { cacheExchange, type Cache } from "@urql/exchange-graphcache";
import { relayPagination } from "@urql/exchange-graphcache/extras";

// Normalised cache: every type with an `id` is stored once, so a week update received on any
// subscription shows in every view that contains that week. Types without an id are embedded
// in their parent (the null keys below).

function invalidateRootField(cache: Cache, fieldName: string): void {
  for (const field of cache.inspectFields("Query")) {
    if (field.fieldName === fieldName) cache.invalidate("Query", field.fieldName, field.arguments);
  }
}

const embedded = () => null;

/** Creates the Graphcache exchange with the app's keys, pagination and list updates. */
export function createCache() {
  return cacheExchange({
    keys: {
      CollectionProgress: embedded,
      PageInfo: embedded,
      UserError: embedded,
      WorkflowParameter: embedded,
      ExecutionEvent: embedded,
      PlannedWeek: embedded,
      ResultColumn: embedded,
      ResultPage: embedded,
      ResultRow: embedded,
      WeekResultColumn: embedded,
      TrendResult: embedded,
      Trend: embedded,
      TrendSeries: embedded,
      TrendPoint: embedded,
      ComparisonResult: embedded,
      Comparison: embedded,
      PeriodValue: embedded,
      CollectionPayload: embedded,
      CreateCollectionPayload: embedded,
      RetryFailedWeeksPayload: embedded,
      WeekPayload: embedded,
      AccountPayload: embedded,
      InstancePayload: embedded,
      WorkflowPayload: embedded,
      DeleteCollectionPayload: embedded,
    },
    resolvers: {
      Query: {
        collections: relayPagination(),
      },
    },
    updates: {
      Mutation: {
        createCollection: (_result, _args, cache) => invalidateRootField(cache, "collections"),
        deleteCollection: (_result, _args, cache) => invalidateRootField(cache, "collections"),
        createWorkflow: (_result, _args, cache) => invalidateRootField(cache, "workflows"),
        createInstance: (_result, _args, cache) => invalidateRootField(cache, "instances"),
        createAccount: (_result, _args, cache) => invalidateRootField(cache, "accounts"),
      },
    },
  });
}
