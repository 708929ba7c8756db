import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { printSchemaFile } from "./schema.ts";

// Writes server/schema.graphql, or with --check exits with status 1 when the committed file
// differs from the schema the code builds.

const schemaFile = path.resolve(import.meta.dirname, "../../schema.graphql");

const printed = await printSchemaFile();
if (process.argv.includes("--check")) {
  const committed = await readFile(schemaFile, "utf8").catch(() => "");
  if (committed !== printed) {
    console.error(
      `${schemaFile} is stale: run \`pnpm --filter ./server schema:print\` and commit the result.`,
    );
    process.exit(1);
  }
  console.log(`${schemaFile} is up to date.`);
} else {
  await writeFile(schemaFile, printed);
  console.log(`Wrote ${schemaFile}.`);
}
