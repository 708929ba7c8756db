// Roles of API tokens. Each role includes the ones below it. A viewer reads. An operator also
// creates, retries, pauses, cancels and deletes collections and edits workflows. An admin also
// manages accounts, instances and API tokens.

/** Role of an API token, as stored in the ApiToken table. */
export type Role = "VIEWER" | "OPERATOR" | "ADMIN";

export const roles: readonly Role[] = ["VIEWER", "OPERATOR", "ADMIN"];

const roleRank: Record<Role, number> = { VIEWER: 1, OPERATOR: 2, ADMIN: 3 };

/** The caller of one request. */
export interface Viewer {
  role: Role;
  /** Id of the stored API token; null for environment tokens and open local access. */
  tokenId: string | null;
  /** Source of the role, for logs: a token's name, "API_TOKENS" or "open local access". */
  source: string;
}

/** Returns true when `role` includes the permissions of `required`. */
export function roleIncludes(role: Role, required: Role): boolean {
  return roleRank[role] >= roleRank[required];
}

/** Parses a role name in any case ("viewer", "ADMIN"); returns undefined when unknown. */
export function parseRole(name: string): Role | undefined {
  const upper = name.toUpperCase();
  return (roles as readonly string[]).includes(upper) ? (upper as Role) : undefined;
}
