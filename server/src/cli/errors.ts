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
        .map(
          (error) =>
            `${error.field?.join(".") ?? "input"}: ${error.message} (${error.code})` +
            listHint(error.message),
        )
        .join("\n"),
    );
  }
}

/** Returns how to write a list on the command line, for an error that expected one. */
function listHint(message: string): string {
  if (!/must be a list of/.test(message)) return "";
  return `\n  On the command line, write a list as JSON: --param name='["a","b"]'.`;
}
