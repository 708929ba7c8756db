/** Error in the command line itself; the tool exits with status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A mutation that returned userErrors; the tool exits with status 1. */
export class UserErrorsError extends Error {
  override name = "UserErrorsError";
  constructor(readonly userErrors: { field: string[] | null; message: string; code: string }[]) {
    super(
      userErrors
        .map((error) => `${error.field?.join(".") ?? "input"}: ${error.message} (${error.code})`)
        .join("\n"),
    );
  }
}
