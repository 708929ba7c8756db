import { backendUrl, controlUrl, sandboxUrl } from "./stack.ts";

// Direct access to the servers for arranging and checking test state. Requests go straight to
// the server process, so they work while the browser's proxy is cut.

/** Error for a GraphQL request that returned errors. */
export class GraphQLRequestError extends Error {
  override name = "GraphQLRequestError";
}

/** Sends a GraphQL request to the server process and returns its data. */
export async function graphql<T>(
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(`${backendUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) {
    throw new GraphQLRequestError(
      `GraphQL request failed: ${body.errors.map((error) => error.message).join("; ")}`,
    );
  }
  if (!body.data)
    throw new GraphQLRequestError(`GraphQL request returned no data (HTTP ${response.status}).`);
  return body.data;
}

async function post(url: string, body?: unknown, method = "POST"): Promise<void> {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(
      `${method} ${url} failed with HTTP ${response.status}: ${await response.text()}`,
    );
}

/** Drops every connection through the API proxy and refuses new ones. */
export const cutApiConnections = () => post(`${controlUrl}/cut`);
/** Accepts connections through the API proxy again. */
export const restoreApiConnections = () => post(`${controlUrl}/restore`);
/** Stops the server process and starts it again on the same data; resolves once it is ready. */
export const restartServer = () => post(`${controlUrl}/restart`);

/** Adds a sandbox fault rule, such as failing executions whose SQL contains a text. */
export const addSandboxFault = (rule: Record<string, unknown>) =>
  post(`${sandboxUrl}/_sandbox/faults`, rule);
/** Removes every sandbox fault rule. */
export const clearSandboxFaults = () => post(`${sandboxUrl}/_sandbox/faults`, undefined, "DELETE");

/** Sets how long each new sandbox execution runs, in milliseconds. */
export const setSandboxExecutionMs = (executionDurationMs: number) =>
  post(`${sandboxUrl}/_sandbox/config`, { executionDurationMs }, "PUT");
