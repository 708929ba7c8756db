import { makeOperation, type Exchange, type OperationResult } from "@urql/core";
import { filter, pipe, tap } from "wonka";

// Change events and query results both carry entities with a `version` that the server
// increases on every change. Results can arrive out of order (a refetch started before an event
// can return after it), so this exchange, placed between the cache and the network exchanges,
// remembers the highest version seen per entity and:
// - drops a subscription event whose root entity is older than what the cache already holds;
// - lets a stale query result through but re-runs that query once from the network, so the
//   cache ends at the newest state instead of the stale one.

interface VersionedEntity {
  __typename: string;
  id: string;
  version: number;
}

function isVersionedEntity(value: unknown): value is VersionedEntity {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.__typename === "string" &&
    typeof record.id === "string" &&
    typeof record.version === "number"
  );
}

/** Calls `visit` for every versioned entity in a result's data, depth first. */
function forEachEntity(value: unknown, visit: (entity: VersionedEntity) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) forEachEntity(item, visit);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  if (isVersionedEntity(value)) visit(value);
  for (const child of Object.values(value)) forEachEntity(child, visit);
}

/** Root entities of a subscription event: the objects directly under its root fields. */
function rootEntities(data: Record<string, unknown>): VersionedEntity[] {
  const roots: VersionedEntity[] = [];
  for (const field of Object.values(data)) {
    if (isVersionedEntity(field)) {
      roots.push(field);
      continue;
    }
    // Event payload types wrap the entity, for example { week: Week }.
    if (typeof field === "object" && field !== null) {
      for (const inner of Object.values(field)) if (isVersionedEntity(inner)) roots.push(inner);
    }
  }
  return roots;
}

/** Highest versions seen, keyed by `Typename:id`. */
export class VersionLedger {
  private readonly versions = new Map<string, number>();

  static key(entity: VersionedEntity): string {
    return `${entity.__typename}:${entity.id}`;
  }

  isStale(entity: VersionedEntity): boolean {
    const known = this.versions.get(VersionLedger.key(entity));
    return known !== undefined && entity.version < known;
  }

  record(entity: VersionedEntity): void {
    const key = VersionLedger.key(entity);
    const known = this.versions.get(key);
    if (known === undefined || entity.version > known) this.versions.set(key, entity.version);
  }
}

/** Creates the exchange; `onStaleEvent` receives every dropped event (for debugging). */
export function versionGuardExchange(
  ledger = new VersionLedger(),
  onStaleEvent?: (entity: VersionedEntity) => void,
): Exchange {
  return ({ forward, client }) =>
    (operations$) => {
      const acceptResult = (result: OperationResult): boolean => {
        const data = result.data as Record<string, unknown> | null | undefined;
        if (!data) return true;
        if (result.operation.kind === "subscription") {
          const stale = rootEntities(data).find((entity) => ledger.isStale(entity));
          if (stale) {
            onStaleEvent?.(stale);
            return false;
          }
        }
        return true;
      };

      const recordResult = (result: OperationResult): void => {
        const data = result.data as Record<string, unknown> | null | undefined;
        if (!data) return;
        let sawStale = false;
        forEachEntity(data, (entity) => {
          if (ledger.isStale(entity)) sawStale = true;
          else ledger.record(entity);
        });
        const alreadyRetried = result.operation.context.versionGuardRetry === true;
        if (sawStale && result.operation.kind === "query" && !alreadyRetried) {
          client.reexecuteOperation(
            makeOperation("query", result.operation, {
              ...result.operation.context,
              requestPolicy: "network-only",
              versionGuardRetry: true,
            }),
          );
        }
      };

      return pipe(forward(operations$), filter(acceptResult), tap(recordResult));
    };
}
