import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

// GraphQL over HTTP and WebSockets for the command-line tool, with the same token rules as every
// other API client: `Authorization: Bearer` over HTTP, `connectionParams.authorization` over
// WebSockets.

/** Error of a GraphQL request: an HTTP failure or GraphQL errors in the response. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Where the API is and how to authenticate. */
export interface ApiTarget {
  /** GraphQL URL, for example http://127.0.0.1:4000/graphql. */
  url: string;
  token?: string;
}

interface GraphqlResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Sends one query or mutation and returns its data; throws ApiError on any error. */
export async function request<T>(
  target: ApiTarget,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError(
      `Cannot reach the API at ${target.url}: ${(error as Error).message}. Start the server ` +
        "(npm start) or pass --url (or AMC_API_URL) with the right address.",
      "UNREACHABLE",
    );
  }
  const body = (await response.json().catch(() => undefined)) as GraphqlResponse<T> | undefined;
  const firstError = body?.errors?.[0];
  if (firstError) {
    throw new ApiError(firstError.message, firstError.extensions?.code);
  }
  if (!response.ok || !body?.data) {
    throw new ApiError(`The API at ${target.url} returned HTTP ${response.status}.`, "HTTP_ERROR");
  }
  return body.data;
}

/** Opens a graphql-ws client on the same URL (http becomes ws). */
export function openSubscriptions(target: ApiTarget): Client {
  return createClient({
    url: target.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: target.token ? { authorization: `Bearer ${target.token}` } : {},
    retryAttempts: 5,
  });
}
