import SchemaBuilder from "@pothos/core";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import type PrismaTypes from "../generated/pothos-types.ts";
import { getDatamodel } from "../generated/pothos-types.ts";
import type { GraphQLContext } from "./context.ts";

// The one Pothos schema builder. Every file under ./types adds its types and fields to it, and
// ./schema.ts imports them all before building. Another part of the server extends an existing
// type from its own file there with `builder.prismaObjectField(s)` or `builder.objectField(s)`.

/** Largest page a connection returns; larger `first` or `last` values are clamped to it. */
export const MAX_PAGE_SIZE = 100;

/** Page size of a connection when the request gives neither `first` nor `last`. */
export const DEFAULT_PAGE_SIZE = 20;

/** Scalars of the schema with their server-side shapes. */
export type Scalars = {
  ID: { Input: string; Output: string | number };
  /** A calendar day; resolvers receive and return "YYYY-MM-DD" or a UTC-midnight Date. */
  Date: { Input: string; Output: Date | string };
  DateTime: { Input: Date; Output: Date | string };
  JSON: { Input: unknown; Output: unknown };
};

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  Scalars: Scalars;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
}>({
  plugins: [PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  prisma: {
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    // Field descriptions come from the GraphQL types, which speak to API users; the Prisma
    // schema's comments speak to maintainers.
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    maxConnectionSize: MAX_PAGE_SIZE,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "warn",
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodesOnConnection: true,
  },
});

builder.queryType({ description: "Entry points for reading collections, weeks and their setup." });
builder.mutationType({ description: "Changes to collections, workflows, instances and accounts." });
builder.subscriptionType({ description: "Live changes, delivered over graphql-ws." });
