import { encodeGlobalID } from "@pothos/plugin-relay";
import { builder } from "../builder.ts";
import type { GraphQLContext } from "../context.ts";
import { parseGlobalId } from "../ids.ts";
import type { ObjectRef } from "@pothos/core";
import {
  DomainError,
  DomainValidationError,
  NotFoundError,
  type UserError,
} from "../../domain/errors.ts";

// Mutations report problems the caller can fix (invalid input, a missing or conflicting
// object) as `userErrors` in their payload, next to a null object, and store nothing. Anything
// else is unexpected and is raised as a masked GraphQL error.

export type { UserError };

export const UserErrorRef = builder.objectRef<UserError>("UserError").implement({
  description: "A problem with a mutation's input that the caller can fix.",
  fields: (t) => ({
    field: t.stringList({
      nullable: true,
      description:
        'Path to the input field that caused the error, e.g. ["input", "endDate"]; null when the error concerns the whole input.',
      resolve: (error: UserError) => (error.field.length > 0 ? error.field : null),
    }),
    message: t.exposeString("message", { description: "What is wrong and how to fix it." }),
    code: t.exposeString("code", {
      description:
        "Stable machine-readable code, e.g. INVALID_DATE, NOT_FOUND, CONFLICT or INVALID_STATE.",
    }),
  }),
});

/** Result of a mutation: the object it returns, or the user errors that prevented it. */
export type MutationResult<T> = { value: T | null; userErrors: UserError[] };

/**
 * Runs a mutation's work and turns the domain's expected errors into user errors. `idField` is
 * the argument path reported for a NotFoundError, e.g. ["id"] or ["input", "workflowId"].
 */
export async function runMutation<T>(
  work: () => Promise<T>,
  idField: string[] = ["id"],
): Promise<MutationResult<T>> {
  try {
    return { value: await work(), userErrors: [] };
  } catch (error) {
    if (error instanceof DomainValidationError)
      return { value: null, userErrors: error.userErrors };
    if (error instanceof NotFoundError) {
      return {
        value: null,
        userErrors: [{ field: idField, message: withGlobalIds(error), code: error.code }],
      };
    }
    // Conflicts and illegal status moves concern the object's state, not one input field.
    if (error instanceof DomainError) {
      return {
        value: null,
        userErrors: [{ field: [], message: withGlobalIds(error), code: error.code }],
      };
    }
    throw error;
  }
}

/** A database id; other strings in a message are what the caller sent and stay as they are. */
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Returns the error's message with the database ids it names written as the API's global ids. */
function withGlobalIds(error: DomainError): string {
  let message = error.message;
  for (const [typeName, id] of error.references) {
    if (uuidPattern.test(id)) message = message.replaceAll(id, encodeGlobalID(typeName, id));
  }
  return message;
}

/** Returns a user error for an id argument that names no object of the expected type. */
export function notFoundUserError(field: string[], typeName: string, id: string): UserError {
  return {
    field,
    message: `${typeName} ${id} not found: check the id, or list ${typeName.toLowerCase()}s to find it.`,
    code: "NOT_FOUND",
  };
}

/** Returns the result of a mutation that failed before running, with one user error. */
export function rejectMutation(error: UserError): MutationResult<never> {
  return { value: null, userErrors: [error] };
}

/** Renames input fields where GraphQL and the domain differ, in error paths and at the start of messages. */
export function renameErrorFields<T>(
  result: MutationResult<T>,
  renames: Record<string, string>,
): MutationResult<T> {
  for (const error of result.userErrors) {
    error.field = error.field.map((part) => renames[part] ?? part);
    // Messages of plain field checks start with the field's name, such as "sqlTemplate is missing".
    for (const [from, to] of Object.entries(renames)) {
      if (error.message.startsWith(`${from} `))
        error.message = to + error.message.slice(from.length);
    }
  }
  return result;
}

/**
 * Defines a mutation payload: the changed object under `objectField` (null when the mutation
 * failed) and the user errors.
 */
export function definePayload<Shape extends object>(
  name: string,
  options: {
    description: string;
    objectField: string;
    objectType: ObjectRef<any, Shape>;
    objectDescription: string;
  },
) {
  return builder.objectRef<MutationResult<Shape>>(name).implement({
    description: options.description,
    fields: (t) => ({
      [options.objectField]: t.field({
        type: options.objectType,
        nullable: true,
        description: options.objectDescription,
        resolve: (result) => result.value as never,
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description: "Problems that prevented the mutation; empty when it succeeded.",
        resolve: (result) => result.userErrors,
      }),
    }),
  });
}

/**
 * Defines the payload of a delete mutation: the deleted object's global id in `idField`, and
 * userErrors. Its MutationResult contains the database id.
 */
export function defineDeletePayload(
  name: string,
  options: { mutation: string; typeName: string; idField: string },
) {
  return builder.objectRef<MutationResult<string>>(name).implement({
    description: `Result of ${options.mutation}.`,
    fields: (t) => ({
      [options.idField]: t.id({
        nullable: true,
        description: `Global id of the deleted ${options.typeName.toLowerCase()}.`,
        resolve: (result) => (result.value ? encodeGlobalID(options.typeName, result.value) : null),
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description: "Problems that prevented the mutation; empty when it succeeded.",
        resolve: (result) => result.userErrors,
      }),
    }),
  });
}

/**
 * Deletes the object that a global id argument names, with `remove`, and logs who deleted it.
 * An id of another type gives NOT_FOUND, and the domain's expected errors become user errors.
 */
export async function runDelete(
  context: GraphQLContext,
  globalId: string | number,
  typeName: string,
  remove: (id: string) => Promise<void>,
): Promise<MutationResult<string>> {
  const id = parseGlobalId(String(globalId), typeName);
  if (!id) return rejectMutation(notFoundUserError(["id"], typeName, String(globalId)));
  const result = await runMutation(async () => {
    await remove(id);
    return id;
  });
  if (result.value) {
    const subject = typeName.toLowerCase();
    context.logger.info({ [`${subject}Id`]: id, by: context.viewer.source }, `${subject} deleted`);
  }
  return result;
}
