import { randomUUID } from "node:crypto";
import { PothosValidationError } from "@pothos/core";
import { GraphQLError } from "graphql";
import type { Logger } from "../logger.ts";
import { ErrorCode } from "./authorize.ts";

// Errors raised on purpose are GraphQLErrors with an `extensions.code` and reach the client as
// they are. Anything else (a failed query, a bug) is replaced by a generic error with the code
// INTERNAL_SERVER_ERROR and an error id. The details go only to the server log, under that id.

/** Returns the error to send for `error`, logging unexpected ones. */
export function maskError(error: unknown, logger: Logger): Error {
  if (error instanceof GraphQLError) {
    const original = error.originalError;
    // Pothos rejects bad arguments (a negative `first`, a malformed cursor) without a code.
    if (original instanceof PothosValidationError) return withCode(error, ErrorCode.BAD_USER_INPUT);
    if (!original || original instanceof GraphQLError) return error;
    return maskUnexpected(original, logger, error);
  }
  return maskUnexpected(error, logger);
}

function maskUnexpected(cause: unknown, logger: Logger, located?: GraphQLError): GraphQLError {
  const errorId = randomUUID();
  logger.error(
    { err: cause, errorId, path: located?.path?.join(".") },
    "unexpected error in a GraphQL operation",
  );
  return new GraphQLError(
    `Unexpected error. The details are in the server log under error id ${errorId}.`,
    {
      nodes: located?.nodes,
      path: located?.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId },
    },
  );
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    path: error.path,
    extensions: { ...error.extensions, code },
  });
}
