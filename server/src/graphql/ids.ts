import { decodeGlobalID } from "@pothos/plugin-relay";

// Global ids are Relay's: base64 of "Typename:uuid". Arguments are decoded here instead of with
// `t.arg.globalID`, so that an id of the wrong type or a malformed one reads as "not found"
// (null or a NOT_FOUND user error) rather than as an unexpected error.

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid no row has; lookups with a malformed id use it so they find nothing. */
export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** Returns true when `value` is a uuid, the primary key type of every table. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** Returns the database id inside a global id of type `typename`, or null when it is not one. */
export function parseGlobalId(globalId: string, typename: string): string | null {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    return null;
  }
  if (decoded.typename !== typename || !isUuid(decoded.id)) return null;
  return decoded.id;
}

/** Returns the database id for a node lookup, or NIL_UUID when it is malformed. */
export function nodeLookupId(id: string): string {
  return isUuid(id) ? id : NIL_UUID;
}
