import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "graphql";
import {
  Client,
  makeOperation,
  type Exchange,
  type Operation,
  type OperationResult,
} from "@urql/core";
import { fromArray, toArray } from "wonka";
import { VersionLedger, versionGuardExchange } from "../src/api/version-guard.ts";

const client = new Client({ url: "http://127.0.0.1:9/graphql", exchanges: [] });

function operation(kind: "query" | "subscription", key: number): Operation {
  const request = { key, query: parse(`${kind} { field }`), variables: {} };
  return makeOperation(kind, request, client.createRequestOperation(kind, request).context);
}

function week(version: number, status: string) {
  return { __typename: "Week", id: "W1", version, status };
}

/** Runs results through the guard and returns those it lets pass. */
function runGuard(results: OperationResult[]): OperationResult[] {
  const forward: Exchange = () => () => fromArray(results);
  const guard = versionGuardExchange(new VersionLedger())({
    forward: forward({} as never),
    client,
    dispatchDebug: () => {},
  });
  return toArray(guard(fromArray([])));
}

test("guard drops an older event", () => {
  const subscription = operation("subscription", 1);
  const passed = runGuard([
    {
      operation: subscription,
      data: { weekUpdated: week(3, "SUCCESS") },
      stale: false,
      hasNext: true,
    },
    {
      operation: subscription,
      data: { weekUpdated: week(2, "RUNNING") },
      stale: false,
      hasNext: true,
    },
  ]);
  assert.equal(passed.length, 1);
  assert.equal(
    (passed[0]?.data as { weekUpdated: { status: string } }).weekUpdated.status,
    "SUCCESS",
  );
});

test("guard keeps an equal version", () => {
  const subscription = operation("subscription", 1);
  const collection = (percent: number) => ({
    collectionUpdated: {
      __typename: "CollectionUpdate",
      id: "C1",
      collection: { __typename: "Collection", id: "C1", version: 4, percent },
    },
  });
  const passed = runGuard([
    { operation: subscription, data: collection(10), stale: false, hasNext: true },
    { operation: subscription, data: collection(20), stale: false, hasNext: true },
  ]);
  assert.equal(passed.length, 2);
});

test("guard records versions from queries", () => {
  const query = operation("query", 2);
  const subscription = operation("subscription", 1);
  const passed = runGuard([
    { operation: query, data: { week: week(5, "SUCCESS") }, stale: false, hasNext: false },
    {
      operation: subscription,
      data: { weekUpdated: week(4, "RUNNING") },
      stale: false,
      hasNext: true,
    },
  ]);
  assert.equal(passed.length, 1);
  assert.equal(passed[0]?.operation.kind, "query");
});
