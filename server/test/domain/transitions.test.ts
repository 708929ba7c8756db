import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CollectionStatus, WeekStatus } from "../../src/generated/prisma/enums.ts";
import {
  assertCollectionTransition,
  assertWeekTransition,
  canTransitionCollection,
  canTransitionWeek,
  IllegalTransitionError,
} from "../../src/domain/transitions.ts";

// Every pair of statuses is checked against the lists below, which restate the lifecycle
// rules independently of the tables in transitions.ts.

const legalCollectionMoves = new Set([
  "ACTIVE>PAUSED",
  "PAUSED>ACTIVE",
  "ACTIVE>CANCELLED",
  "PAUSED>CANCELLED",
  "ACTIVE>COMPLETED",
  "ACTIVE>FAILED",
  "FAILED>ACTIVE",
  "CANCELLED>ACTIVE",
  "COMPLETED>ACTIVE",
]);

const legalWeekMoves = new Set([
  "PENDING>RUNNING",
  "RUNNING>SUCCESS",
  "RUNNING>FAILED",
  "RUNNING>PENDING",
  "FAILED>PENDING",
  "CANCELLED>PENDING",
  "SUCCESS>PENDING",
  "PENDING>CANCELLED",
  "RUNNING>CANCELLED",
  "PENDING>SKIPPED",
]);

describe("collection transitions", () => {
  for (const from of Object.values(CollectionStatus)) {
    for (const to of Object.values(CollectionStatus)) {
      const legal = legalCollectionMoves.has(`${from}>${to}`);
      test(`collection ${from} to ${to} ${legal ? "allowed" : "rejected"}`, () => {
        assert.equal(canTransitionCollection(from, to), legal);
        if (legal) {
          assertCollectionTransition("c-1", from, to);
          return;
        }
        assert.throws(
          () => assertCollectionTransition("c-1", from, to),
          (error: unknown) =>
            error instanceof IllegalTransitionError &&
            error.code === "ILLEGAL_TRANSITION" &&
            error.entity === "Collection" &&
            error.from === from &&
            error.to === to &&
            error.message.includes("c-1") &&
            error.message.includes(`from ${from} to ${to}`),
        );
      });
    }
  }
});

describe("week transitions", () => {
  for (const from of Object.values(WeekStatus)) {
    for (const to of Object.values(WeekStatus)) {
      const legal = legalWeekMoves.has(`${from}>${to}`);
      test(`week ${from} to ${to} ${legal ? "allowed" : "rejected"}`, () => {
        assert.equal(canTransitionWeek(from, to), legal);
        if (legal) {
          assertWeekTransition("w-1", from, to);
          return;
        }
        assert.throws(
          () => assertWeekTransition("w-1", from, to),
          (error: unknown) =>
            error instanceof IllegalTransitionError &&
            error.entity === "Week" &&
            error.entityId === "w-1" &&
            error.message.includes("Week w-1 cannot move"),
        );
      });
    }
  }
});
