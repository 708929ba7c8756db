import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { parseRole, roles } from "./roles.ts";
import { createApiToken } from "./tokens.ts";

// `pnpm --filter ./server token:create --role admin --name ci`: stores a new API token in the
// database that DATABASE_URL (or DATA_DIR) names and prints it once. Only its hash is kept.

const usage =
  "Usage: token:create --role viewer|operator|admin --name NAME\n" +
  "Creates an API token in the configured database and prints it once.";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      role: { type: "string" },
      name: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const role = values.role ? parseRole(values.role) : undefined;
  if (!role) {
    const expected = roles.join(", ").toLowerCase();
    console.error(`Invalid or missing --role "${values.role ?? ""}": expected one of ${expected}.`);
    console.error(usage);
    return 2;
  }
  if (!values.name?.trim()) {
    console.error("Missing --name: give the token a name, e.g. --name ci.");
    console.error(usage);
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    await database.migrate();
    const { token, info } = await createApiToken(database.prisma, {
      name: values.name.trim(),
      role,
    });
    console.error(
      `Created ${role.toLowerCase()} token "${info.name}" (id ${info.id}). It is shown only once:`,
    );
    console.log(token);
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError
        ? error.message
        : `token:create failed: ${(error as Error).message}`,
    );
    process.exit(1);
  },
);
