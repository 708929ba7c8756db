import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { useCSRFPrevention } from "@graphql-yoga/plugin-csrf-prevention";
import { GraphQLError, type GraphQLSchema, type ValidationContext } from "graphql";
import { createYoga, type YogaServerInstance } from "graphql-yoga";
import { InvalidTokenError, parseBearer, type AccessControl } from "../auth/access-control.ts";
import type { Viewer } from "../auth/roles.ts";
import { ErrorCode } from "./authorize.ts";
import type { GraphQLContext, GraphQLServices, InitialContext } from "./context.ts";
import { maskError } from "./errors.ts";
import { createLoaders } from "./loaders.ts";

// The GraphQL server: yoga with the Pothos schema, token authentication, CSRF prevention,
// depth and cost limits, and masked unexpected errors. HTTP requests reach it through
// `yoga.handle`; WebSocket subscriptions run the same envelop (see ./websocket.ts).

/** Path of GraphQL over HTTP and over WebSockets. */
export const GRAPHQL_PATH = "/graphql";

/** Limits on an operation's shape; an operation beyond one is rejected before it runs. */
export const operationLimits = {
  /** Maximum nesting of selections, e.g. collections.edges.node.weeks.edges.node.executions. */
  maxDepth: 12,
  /** Maximum cost in graphql-armor's model (objects count 2, scalars 1, times depth cost). */
  maxCost: 20_000,
  maxAliases: 30,
  maxDirectives: 50,
  maxTokens: 5_000,
};

/**
 * Returns a graphql-armor rejection handler that reports `message(found)` with `code` as a
 * validation error. `found` is the measured value that armor puts in its own message.
 */
function rejectWith(code: string, message: (found: string) => string) {
  return (context: ValidationContext | null, armorError: GraphQLError): void => {
    const measured = Number(/found (\d+(?:\.\d+)?)/.exec(armorError.message)?.[1]);
    const found = Number.isFinite(measured) ? String(Math.ceil(measured)) : "unknown";
    const error = new GraphQLError(message(found), { extensions: { code } });
    // Depth and cost are validation rules, so armor passes a validation context. Without one,
    // throwing still rejects the operation.
    if (!context) throw error;
    context.reportError(error);
  };
}

const rejectTooDeep = rejectWith(
  ErrorCode.QUERY_TOO_DEEP,
  (found) =>
    `The operation's depth of ${found} nested fields is more than the maximum of ${operationLimits.maxDepth}. Select fewer nested levels, for example by querying nested objects by id in a separate operation.`,
);

const rejectTooCostly = rejectWith(
  ErrorCode.QUERY_TOO_COSTLY,
  (found) =>
    `The operation's estimated cost is ${found}, more than the maximum of ${operationLimits.maxCost}. Select fewer fields, ask for smaller pages with first or last, or split the operation into several.`,
);

/** Options of the GraphQL server. */
export interface GraphQLServerOptions {
  schema: GraphQLSchema;
  services: GraphQLServices;
  access: AccessControl;
  /** Origins allowed to send cross-origin requests. */
  allowedOrigins: string[];
  /** Serves GraphiQL on GET /graphql. */
  graphiql: boolean;
}

/** Yoga instance with this server's context. */
export type GraphQLServer = YogaServerInstance<Record<string, unknown>, GraphQLContext>;

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: ErrorCode.UNAUTHENTICATED,
      http: { status: 401, headers: { "www-authenticate": 'Bearer realm="amc-collections"' } },
    },
  });
}

/** Returns the caller, or throws UNAUTHENTICATED when the token is missing or invalid. */
export async function authenticate(
  access: AccessControl,
  token: string | undefined,
): Promise<Viewer> {
  let viewer: Viewer | null;
  try {
    viewer = await access.authenticate(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw unauthenticated(error.message);
    throw error;
  }
  if (!viewer) {
    throw unauthenticated(
      "An API token is required: send it as `Authorization: Bearer <token>` over HTTP or as `authorization` in the WebSocket connection parameters.",
    );
  }
  return viewer;
}

/** Returns the token of an HTTP request or of WebSocket connection parameters. */
export function tokenOf(initial: InitialContext): string | undefined {
  const params = initial.connectionParams;
  if (params) {
    const value = params.authorization ?? params.Authorization;
    if (typeof value === "string") {
      return value.toLowerCase().startsWith("bearer ") ? parseBearer(value) : value;
    }
    return undefined;
  }
  return parseBearer(initial.request?.headers.get("authorization"));
}

/** Creates the yoga instance. */
export function createGraphQLServer(options: GraphQLServerOptions): GraphQLServer {
  const { services, access } = options;
  const logger = services.logger.child({ component: "graphql" });
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema: options.schema,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: options.graphiql ? { title: "amc-collections", subscriptionsProtocol: "WS" } : false,
    landingPage: false,
    cors: {
      origin: options.allowedOrigins,
      methods: ["GET", "POST"],
      allowedHeaders: ["authorization", "content-type", "x-graphql-yoga-csrf"],
      credentials: false,
    },
    maskedErrors: { maskError: (error) => maskError(error, logger) },
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(" ")),
      info: (...args) => logger.info(args.map(String).join(" ")),
      warn: (...args) => logger.warn(args.map(String).join(" ")),
      error: (...args) => logger.error(args.map(String).join(" ")),
    },
    context: async (initial) => {
      const context = initial as unknown as InitialContext & { viewer?: Viewer };
      let viewer = context.viewer;
      if (!viewer) {
        let token: string | undefined;
        try {
          token = tokenOf(context);
        } catch (error) {
          throw unauthenticated((error as Error).message);
        }
        viewer = await authenticate(access, token);
      }
      return { ...services, viewer, loaders: createLoaders(services.prisma) };
    },
    plugins: [
      useCSRFPrevention({ requestHeaders: ["x-graphql-yoga-csrf"] }),
      EnvelopArmorPlugin({
        maxDepth: {
          n: operationLimits.maxDepth,
          flattenFragments: true,
          onReject: [rejectTooDeep],
          propagateOnRejection: false,
        },
        costLimit: {
          maxCost: operationLimits.maxCost,
          onReject: [rejectTooCostly],
          propagateOnRejection: false,
        },
        maxAliases: { n: operationLimits.maxAliases },
        maxDirectives: { n: operationLimits.maxDirectives },
        maxTokens: { n: operationLimits.maxTokens },
        blockFieldSuggestion: { enabled: !options.graphiql },
      }),
    ],
  });
}
