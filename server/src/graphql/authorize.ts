import { GraphQLError } from "graphql";
import { roleIncludes, type Role } from "../auth/roles.ts";
import type { GraphQLContext } from "./context.ts";

/** `extensions.code` of errors the API raises on purpose; clients branch on these. */
export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  /** The operation nests fields deeper than operationLimits.maxDepth. */
  QUERY_TOO_DEEP: "QUERY_TOO_DEEP",
  /** The operation's estimated cost is above operationLimits.maxCost. */
  QUERY_TOO_COSTLY: "QUERY_TOO_COSTLY",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;

/** Throws a FORBIDDEN error unless the caller's role includes `required`. */
export function requireRole(context: GraphQLContext, required: Role): void {
  if (roleIncludes(context.viewer.role, required)) return;
  throw new GraphQLError(
    `This operation requires the ${required.toLowerCase()} role; the token in use has the ` +
      `${context.viewer.role.toLowerCase()} role. Use a token with the ${required.toLowerCase()} role.`,
    { extensions: { code: ErrorCode.FORBIDDEN } },
  );
}
