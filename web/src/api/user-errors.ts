import type { CombinedError } from "urql";
import type { UserError } from "./types.ts";

/** userErrors grouped by input field name; errors without a field go under "". */
export type FieldErrors = Record<string, string[]>;

/**
 * Returns the input field a userError points at, as a dotted path below the mutation's
 * `input` argument: ["input", "startDate"] gives "startDate" and
 * ["input", "parameters", "country"] gives "parameters.country". A plain string is kept.
 */
export function fieldOf(error: UserError): string {
  if (!Array.isArray(error.field)) return error.field ?? "";
  const path = error.field[0] === "input" ? error.field.slice(1) : error.field;
  return path.join(".");
}

/** Groups userErrors by field, so each form control can show its own messages. */
export function groupUserErrors(errors: readonly UserError[]): FieldErrors {
  const grouped: FieldErrors = {};
  for (const error of errors) {
    const field = fieldOf(error);
    (grouped[field] ??= []).push(error.message);
  }
  return grouped;
}

/** Returns a one-line message for a failed request, or null when there is none. */
export function describeError(error: CombinedError | undefined): string | null {
  if (!error) return null;
  if (error.networkError) return `The API could not be reached: ${error.networkError.message}`;
  return error.graphQLErrors.map((graphQLError) => graphQLError.message).join(" ");
}
