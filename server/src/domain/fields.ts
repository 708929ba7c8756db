import type { UserError } from "./errors.ts";

// Checks of plain input fields shared by the create and update functions.

/** Collects user errors under a common field prefix, such as ["input"]. */
export class UserErrorList {
  readonly errors: UserError[] = [];

  constructor(private readonly prefix: string[] = ["input"]) {}

  /** Records a problem; a dotted field such as "credentials.clientId" becomes a nested path. */
  add(field: string, message: string, code: string): void {
    this.errors.push({ field: [...this.prefix, ...field.split(".")], message, code });
  }

  /** Checks a required text field and returns it trimmed, or null after recording a problem. */
  text(
    field: string,
    value: unknown,
    maxLength: number,
    pattern?: RegExp,
    hint?: string,
  ): string | null {
    const text = typeof value === "string" ? value.trim() : "";
    if (text === "") {
      this.add(field, `${field} is missing: give 1 to ${maxLength} characters.`, "MISSING_FIELD");
      return null;
    }
    if (text.length > maxLength) {
      this.add(
        field,
        `${field} is ${text.length} characters long; the maximum is ${maxLength}.`,
        "INVALID_FIELD",
      );
      return null;
    }
    if (pattern && !pattern.test(text)) {
      this.add(
        field,
        `${field} "${text}" is invalid: ${hint ?? `it must match ${pattern}`}.`,
        "INVALID_FIELD",
      );
      return null;
    }
    return text;
  }

  /** Checks a whole number in [min, max] and returns it, or null after recording a problem. */
  integer(field: string, value: unknown, min: number, max: number): number | null {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.add(
        field,
        `${field} must be a whole number from ${min} to ${max}, got ${String(value)}.`,
        "INVALID_FIELD",
      );
      return null;
    }
    return value;
  }
}
