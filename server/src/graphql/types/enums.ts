import { builder } from "../builder.ts";

// Enums shared by several types. Their values are the database's, so they stay stable.

export const CollectionStatusEnum = builder.enumType("CollectionStatus", {
  description: "Lifecycle state of a collection.",
  values: {
    ACTIVE: { description: "Weeks are being scheduled and run." },
    PAUSED: { description: "No new weeks start; running executions finish." },
    COMPLETED: {
      description: "Every week has finished; a rolling collection waits for new weeks.",
    },
    FAILED: { description: "Every week has finished and at least one failed for good." },
    CANCELLED: { description: "Stopped by a user; no more weeks run." },
  } as const,
});

export const CollectionModeEnum = builder.enumType("CollectionMode", {
  description: "How a collection chooses its weeks.",
  values: {
    BACKFILL: { description: "Runs the weeks of a fixed date range once." },
    ROLLING: { description: "Also adds each new week once AMC's data for it is complete." },
  } as const,
});

export const WeekStatusEnum = builder.enumType("WeekStatus", {
  description: "State of one week of a collection.",
  values: {
    PENDING: { description: "Waiting to run, or waiting for its next attempt." },
    RUNNING: { description: "An AMC execution for the week is in flight." },
    SUCCESS: { description: "The result is stored." },
    FAILED: { description: "Every allowed attempt failed; retryWeek runs it again." },
    SKIPPED: { description: "Not run, for example because its data is not ready." },
    CANCELLED: { description: "Stopped because the collection was cancelled." },
  } as const,
});

export const ExecutionStatusEnum = builder.enumType("ExecutionStatus", {
  description: "State of one AMC execution attempt.",
  values: {
    SUBMITTING: { description: "Recorded before the create call; AMC's id is not known yet." },
    PENDING: { description: "Accepted by AMC and queued." },
    RUNNING: { description: "Running on AMC." },
    PUBLISHING: { description: "AMC is writing the result files." },
    SUCCEEDED: { description: "Finished; the result was downloaded." },
    FAILED: { description: "AMC reported a failure; see statusReason." },
    CANCELLED: { description: "Cancelled on AMC." },
    REJECTED: { description: "AMC rejected the query, for example because of invalid SQL." },
  } as const,
});

export const RegionEnum = builder.enumType("Region", {
  description: "Amazon Ads API region of an account.",
  values: {
    NA: { description: "North America." },
    EU: { description: "Europe." },
    FE: { description: "Far East." },
  } as const,
});

export const RoleEnum = builder.enumType("Role", {
  description: "Role of an API token. Each role includes the permissions of those above it.",
  values: {
    VIEWER: { description: "Reads everything except credentials." },
    OPERATOR: {
      description:
        "Also creates, retries, pauses, cancels and deletes collections and edits workflows.",
    },
    ADMIN: { description: "Also manages accounts, instances and API tokens." },
  } as const,
});
