import { parseArgs } from "node:util";
import { ApiError } from "./client.ts";
import { commands, type Command } from "./commands.ts";
import { UsageError, UserErrorsError } from "./errors.ts";

// amc-collections: a command-line tool over the GraphQL API for scripts and operators.
// Exit status: 0 success, 1 failure (API error, rejected input, a collection that did not
// complete), 2 invalid command line.

const defaultUrl = "http://127.0.0.1:4000/graphql";

const globalOptions = {
  url: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    "Usage: amc-collections COMMAND [options]",
    "",
    "Commands:",
    ...Object.entries(commands).map(
      ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`,
    ),
    "",
    "Options for every command:",
    `  --url URL      GraphQL URL (env AMC_API_URL; default ${defaultUrl})`,
    "  --token TOKEN  API token (env AMC_API_TOKEN)",
    "  --json         print JSON for scripts instead of text",
    "  --help         show help for a command: amc-collections COMMAND --help",
  ].join("\n");
}

function commandHelp(name: string, command: Command): string {
  return (
    [`Usage: amc-collections ${command.usage}`, "", command.summary + "."].join("\n") +
    "\n\nAlso accepts --url, --token and --json."
  );
}

/**
 * Moves options for every command that come before the command after it, so that
 * `amc-collections --url URL list` works like `amc-collections list --url URL`.
 */
function commandFirst(argv: string[]): string[] {
  let index = 0;
  while (index < argv.length) {
    const [, name, inlineValue] = /^--([a-z]+)(=.*)?$/.exec(argv[index]!) ?? [];
    if (!name || name === "help" || !Object.hasOwn(globalOptions, name)) break;
    const { type } = globalOptions[name as keyof typeof globalOptions];
    index += type === "string" && inlineValue === undefined ? 2 : 1;
  }
  if (index === 0 || index >= argv.length) return argv;
  return [argv[index]!, ...argv.slice(0, index), ...argv.slice(index + 1)];
}

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = commandFirst(argv);
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(mainHelp() + "\n");
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`Unknown command "${name}". Run amc-collections --help.`);

  const { values, positionals } = parseArgs({
    args: rest,
    options: { ...globalOptions, ...command.options },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(commandHelp(name, command) + "\n");
    return 0;
  }
  const token = (values.token as string | undefined) ?? process.env.AMC_API_TOKEN;
  return command.run({
    target: {
      url: (values.url as string | undefined) ?? process.env.AMC_API_URL ?? defaultUrl,
      ...(token ? { token } : {}),
    },
    output: { json: Boolean(values.json) },
    args: positionals,
    options: values,
  });
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(2);
    }
    if (error instanceof UserErrorsError || error instanceof ApiError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
