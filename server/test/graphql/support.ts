import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { loadConfig, type Config } from "../../src/config.ts";
import { PrismaClient } from "../../src/generated/prisma/client.ts";
import { createAccessControl } from "../../src/auth/access-control.ts";
import type { Database } from "../../src/db/database.ts";
import { startChangeBus, type ChangeBus } from "../../src/events/change-bus.ts";
import type { GraphQLServices } from "../../src/graphql/context.ts";
import { loadSchema } from "../../src/graphql/schema.ts";
import { createGraphQLServer, type GraphQLServer } from "../../src/graphql/yoga.ts";
import { createLogger } from "../../src/logger.ts";

// Helpers for GraphQL tests: an in-process API over a test database, called through
// `yoga.fetch`, and seed data written straight through Prisma.

/** AES-256 key of the test API's account credentials; testConfig sets the same one. */
export const testSecretKey = Buffer.alloc(32, 7);

export const testLogger = createLogger(process.env.TEST_LOG_LEVEL ?? "silent");

/** Tokens of each role, given to the API as API_TOKENS. */
export const tokens = {
  viewer: "viewer-token-0123456789abcdef",
  operator: "operator-token-0123456789abcdef",
  admin: "admin-token-0123456789abcdef",
} as const;

/** Returns a config for tests: port 0, loopback, the test tokens unless `env` overrides them. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: "memory:",
    API_TOKENS: `viewer:${tokens.viewer},operator:${tokens.operator},admin:${tokens.admin}`,
    SCHEDULER: "off",
    AMC_SANDBOX: "off",
    SECRET_KEY: "07".repeat(32),
    ...env,
  });
}

/** A GraphQL response body. */
export interface GraphQLResponse<T = Record<string, any>> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

/** An API served in process. */
export interface TestApi {
  yoga: GraphQLServer;
  changes: ChangeBus;
  /** Sends an operation over HTTP semantics (yoga.fetch) with the token, if any. */
  execute<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** Builds the API over `database`; `token` null sends no Authorization header. */
export async function createTestApi(
  database: Database,
  options: { config?: Config; services?: Partial<GraphQLServices> } = {},
): Promise<TestApi> {
  const config = options.config ?? testConfig();
  const access = await createAccessControl(config, database.prisma, testLogger);
  const changes = await startChangeBus(database, testLogger);
  const yoga = createGraphQLServer({
    schema: await loadSchema(),
    services: {
      prisma: database.prisma,
      logger: testLogger,
      changes,
      secretKey: testSecretKey,
      maxWeeksPerCollection: config.collections.maxWeeks,
      ...options.services,
    },
    access,
    allowedOrigins: config.allowedOrigins,
    graphiql: false,
  });
  return {
    yoga,
    changes,
    async execute(query, variables, token = tokens.admin) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<any>;
    },
    close: () => changes.stop(),
  };
}

/** Creates a Prisma client on the same database that records every SQL statement it sends. */
export function createCountingPrisma(database: Database): {
  prisma: Database["prisma"];
  statements: string[];
} {
  const statements: string[] = [];
  const adapter = database.pglite
    ? new PrismaPGlite(database.pglite)
    : new PrismaPg(
        database.pool!,
        database.connection?.schema ? { schema: database.connection.schema } : undefined,
      );
  const prisma = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  prisma.$on("query" as never, (event: { query: string }) => statements.push(event.query));
  return { prisma, statements };
}
