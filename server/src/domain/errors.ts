// Errors raised by the domain layer. Each carries a stable `code` that the GraphQL layer maps to
// a user error or an `extensions.code`, so clients can branch on it without parsing messages.

/** One problem with an input field, in the shape GraphQL returns as a user error. */
export interface UserError {
  /** Path of the offending input field, for example ["input", "endDate"]. */
  field: string[];
  message: string;
  /** Stable machine-readable code such as "INVALID_DATE". */
  code: string;
}

/** An object a domain error's message names by its database id: type name and id. */
export type ErrorReference = readonly [typeName: string, id: string];

/** Base class of every error the domain layer raises on purpose. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** Objects the message names by database id, so the API can show their global ids instead. */
  references: readonly ErrorReference[] = [];
}

/** Input failed validation; `userErrors` lists every problem found, not only the first. */
export class DomainValidationError extends DomainError {
  override name = "DomainValidationError";
  readonly code = "VALIDATION_FAILED";

  constructor(readonly userErrors: UserError[]) {
    super(userErrors.map((error) => `${error.field.join(".")}: ${error.message}`).join("\n"));
  }

  /** Builds an error with a single problem. */
  static of(field: string[], message: string, code: string): DomainValidationError {
    return new DomainValidationError([{ field, message, code }]);
  }
}

/** The entity with the given id does not exist. */
export class NotFoundError extends DomainError {
  override name = "NotFoundError";
  readonly code = "NOT_FOUND";

  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found: check the id, or list ${entity.toLowerCase()}s to find it.`);
    this.references = [[entity, id]];
  }
}

/** The request clashes with stored state, for example an idempotency key reused with other input. */
export class ConflictError extends DomainError {
  override name = "ConflictError";

  constructor(
    message: string,
    readonly code: string = "CONFLICT",
    references: readonly ErrorReference[] = [],
  ) {
    super(message);
    this.references = references;
  }
}
