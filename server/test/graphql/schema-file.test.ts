import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { printSchemaFile } from "../../src/graphql/schema.ts";

// The committed schema.graphql is the API's public contract under review; it must match what
// the code serves.

const schemaFile = path.resolve(import.meta.dirname, "../../schema.graphql");

test("schema.graphql matches the built schema", async () => {
  const committed = await readFile(schemaFile, "utf8");
  const printed = await printSchemaFile();
  assert.ok(
    committed === printed,
    "server/schema.graphql is stale: run `pnpm --filter ./server schema:print` and commit it.",
  );
});

test("schema exposes no credentials or token hashes", async () => {
  const printed = await printSchemaFile();
  const outputTypes = printed.split(/\n(?=type |input |enum |scalar |interface )/);
  for (const block of outputTypes.filter((text) => text.startsWith("type "))) {
    assert.doesNotMatch(block, /^\s+(credentials|clientSecret|refreshToken|tokenHash)\b/m, block);
  }
});

test("schema names the contract's entry points", async () => {
  const printed = await printSchemaFile();
  for (const name of [
    "collections(",
    "collection(id: ID!)",
    "week(id: ID!)",
    "execution(id: ID!)",
    "workflows(",
    "instances(",
    "accounts(",
    "previewWeeks(",
    "createCollection(input: CreateCollectionInput!)",
    "retryWeek(",
    "retryFailedWeeks(collectionId: ID!)",
    "pauseCollection(id: ID!)",
    "resumeCollection(id: ID!)",
    "cancelCollection(id: ID!)",
    "deleteCollection(id: ID!)",
    "weekUpdated(collectionId: ID!)",
    "collectionUpdated(id: ID!)",
    "collectionsUpdated",
  ]) {
    assert.ok(printed.includes(name), `schema.graphql lacks ${name}`);
  }
});
