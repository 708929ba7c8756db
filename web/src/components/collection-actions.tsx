"use client";

import { useState } from "react";
import { useMutation } from "urql";
import {
  CancelCollectionMutation,
  PauseCollectionMutation,
  ResumeCollectionMutation,
  RetryFailedWeeksMutation,
} from "@/api/documents.ts";
import type { CollectionSummary, UserError } from "@/api/types.ts";
import { describeError } from "@/api/user-errors.ts";
import { ConfirmButton } from "./confirm-button.tsx";

type ActionPayload = Record<string, { userErrors: UserError[] } | null>;

/**
 * Returns which actions the server allows for a collection in its current state. The API also
 * resumes a cancelled collection, by putting its cancelled weeks back to pending.
 */
export function legalActions(collection: Pick<CollectionSummary, "status" | "progress">) {
  const open = collection.status === "ACTIVE" || collection.status === "PAUSED";
  return {
    pause: collection.status === "ACTIVE",
    resume: collection.status === "PAUSED" || collection.status === "CANCELLED",
    cancel: open,
    retryFailed: collection.status !== "CANCELLED" && collection.progress.failed > 0,
  };
}

/** Pause, resume, cancel and retry buttons, shown only when the action is legal. */
export function CollectionActions({ collection }: { collection: CollectionSummary }) {
  const [pauseState, pause] = useMutation<ActionPayload>(PauseCollectionMutation);
  const [resumeState, resume] = useMutation<ActionPayload>(ResumeCollectionMutation);
  const [cancelState, cancel] = useMutation<ActionPayload>(CancelCollectionMutation);
  const [retryState, retry] = useMutation<ActionPayload>(RetryFailedWeeksMutation);
  const [message, setMessage] = useState<string | null>(null);
  const busy =
    pauseState.fetching || resumeState.fetching || cancelState.fetching || retryState.fetching;
  const legal = legalActions(collection);

  const run = async (
    action: () => Promise<{ data?: ActionPayload; error?: Parameters<typeof describeError>[0] }>,
  ) => {
    setMessage(null);
    const result = await action();
    const payload = result.data ? Object.values(result.data)[0] : null;
    const problem =
      describeError(result.error) ?? payload?.userErrors.map((error) => error.message).join(" ");
    if (problem) setMessage(problem);
  };

  const id = collection.id;
  return (
    <div className="actions" aria-label={`Actions for ${collection.name}`} role="group">
      {legal.pause && (
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={() => run(() => pause({ id }))}
        >
          Pause
        </button>
      )}
      {legal.resume && (
        <button type="button" disabled={busy} onClick={() => run(() => resume({ id }))}>
          Resume
        </button>
      )}
      {legal.retryFailed && (
        <button
          type="button"
          disabled={busy}
          onClick={() => run(() => retry({ collectionId: id }))}
        >
          Retry failed weeks
        </button>
      )}
      {legal.cancel && (
        <ConfirmButton
          label="Cancel"
          question={`Cancel “${collection.name}”? Running weeks stop and no more weeks run.`}
          confirmLabel="Yes, cancel it"
          keepLabel="Keep running"
          disabled={busy}
          onConfirm={() => run(() => cancel({ id }))}
        />
      )}
      {message && (
        <span className="error-text" role="alert">
          {message}
        </span>
      )}
    </div>
  );
}
