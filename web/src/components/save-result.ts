import type { CombinedError } from "urql";
import type { UserError } from "@/api/types.ts";
import { describeError, groupUserErrors, type FieldErrors } from "@/api/user-errors.ts";

/** Outcome of a create or update mutation, reduced to what a form needs. */
export interface SaveOutcome {
  ok: boolean;
  errors: FieldErrors;
}

/** Reads a mutation result whose single root field returns `{ userErrors }`. */
export function readSaveResult(result: {
  data?: Record<string, { userErrors: UserError[] } | null>;
  error?: CombinedError;
}): SaveOutcome {
  const requestError = describeError(result.error);
  if (requestError) return { ok: false, errors: { "": [requestError] } };
  const payload = result.data ? Object.values(result.data)[0] : null;
  if (!payload) return { ok: false, errors: { "": ["The server returned no result."] } };
  if (payload.userErrors.length > 0)
    return { ok: false, errors: groupUserErrors(payload.userErrors) };
  return { ok: true, errors: {} };
}
