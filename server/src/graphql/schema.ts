import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { builder } from "./builder.ts";

// The schema is every file under ./types, imported in name order before the builder runs, so a
// part of the server that adds a type or extends one only has to drop its file there.

const typesDir = path.join(import.meta.dirname, "types");

/** Returns the module files under ./types, sorted by name. */
export function listTypeFiles(): string[] {
  return readdirSync(typesDir)
    .filter((name) => /\.(ts|js)$/.test(name) && !name.endsWith(".d.ts"))
    .sort();
}

let schemaPromise: Promise<GraphQLSchema> | undefined;

/** Imports every type file once and builds the schema. */
export function loadSchema(): Promise<GraphQLSchema> {
  schemaPromise ??= (async () => {
    for (const name of listTypeFiles()) {
      await import(pathToFileURL(path.join(typesDir, name)).href);
    }
    return builder.toSchema({ sortSchema: true });
  })();
  return schemaPromise;
}

/**
 * Prints the schema in SDL, sorted and formatted by Prettier (the workspace's dev dependency),
 * as committed in server/schema.graphql.
 */
export async function printSchemaFile(): Promise<string> {
  const sdl = printSchema(lexicographicSortSchema(await loadSchema()));
  const prettier = await import("prettier");
  const options = await prettier.resolveConfig(
    path.join(import.meta.dirname, "../../schema.graphql"),
  );
  return prettier.format(sdl, { ...options, parser: "graphql" });
}
