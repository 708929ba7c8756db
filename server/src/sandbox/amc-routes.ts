import type { IncomingMessage, ServerResponse } from "node:http";
import type { DownloadSigner } from "./downloads.ts";
import type { EndpointName } from "./faults.ts";
import { toExecutionJson, type ExecutionStore, type ListQuery } from "./executions.ts";
import { AmcHttpError, headerValue, readJsonObject, sendJson } from "./http.ts";
import type { TokenStore } from "./tokens.ts";
import type { SandboxExecution } from "./types.ts";
import { validateCreateExecution, validateWorkflow } from "./validation.ts";
import type { WorkflowStore } from "./workflows.ts";

// AMC's reporting API under /amc/reporting/{instanceId}: executions, download URLs and saved
// workflows, with AMC's header checks.

const REPORTING_PATH =
  /^\/amc\/reporting\/([^/]+)\/(workflowExecutions|workflows)(?:\/([^/]+))?(\/downloadUrls)?\/?$/;
const URLS_PER_PAGE = 5;

/** A request resolved to one of the AMC endpoints. */
export interface AmcRoute {
  endpoint: EndpointName;
  instanceId: string;
  resourceId?: string;
}

/** Parts of the sandbox that the AMC routes use. */
export interface AmcRouteContext {
  baseUrl(): string;
  clock: () => number;
  tokens: TokenStore;
  executions: ExecutionStore;
  workflows: WorkflowStore;
  signer: DownloadSigner;
  wrapExecutionResponses: boolean;
}

/** Resolves method and path to an AMC endpoint, or undefined for other paths. */
export function matchAmcRoute(method: string, pathname: string): AmcRoute | undefined {
  const match = REPORTING_PATH.exec(pathname);
  if (!match) return undefined;
  const instanceId = decodeURIComponent(match[1]!);
  const collection = match[2]!;
  const resourceId = match[3] === undefined ? undefined : decodeURIComponent(match[3]);
  const downloadUrls = match[4] !== undefined;
  const endpoint = endpointOf(method, collection, resourceId !== undefined, downloadUrls);
  return endpoint ? { endpoint, instanceId, ...(resourceId ? { resourceId } : {}) } : undefined;
}

function endpointOf(
  method: string,
  collection: string,
  hasId: boolean,
  downloadUrls: boolean,
): EndpointName | undefined {
  if (collection === "workflowExecutions") {
    if (downloadUrls) return hasId && method === "GET" ? "downloadUrls" : undefined;
    if (!hasId)
      return method === "POST"
        ? "createExecution"
        : method === "GET"
          ? "listExecutions"
          : undefined;
    if (method === "GET") return "getExecution";
    if (method === "PUT" || method === "DELETE") return "cancelExecution";
    return undefined;
  }
  if (downloadUrls) return undefined;
  if (!hasId) {
    if (method === "POST") return "createWorkflow";
    if (method === "GET") return "listWorkflows";
    return undefined;
  }
  if (method === "GET") return "getWorkflow";
  if (method === "PUT") return "updateWorkflow";
  if (method === "DELETE") return "deleteWorkflow";
  return undefined;
}

/** Binds each instance to the first advertiser that used it, so another advertiser gets 403. */
const instanceAdvertisers = new WeakMap<AmcRouteContext, Map<string, string>>();

/** Checks the bearer token and AMC's required headers. Throws 401, 400 or 403. */
export function checkAmcHeaders(
  context: AmcRouteContext,
  req: IncomingMessage,
  instanceId: string,
): void {
  context.tokens.verify(req);
  if (!headerValue(req, "Amazon-Advertising-API-ClientId")) {
    throw new AmcHttpError(
      400,
      "Missing header Amazon-Advertising-API-ClientId: send the client id.",
    );
  }
  const advertiserId = headerValue(req, "Amazon-Advertising-API-AdvertiserId");
  if (!advertiserId) {
    throw new AmcHttpError(
      400,
      "Missing header Amazon-Advertising-API-AdvertiserId: send the AMC entity id (ENTITY…).",
    );
  }
  if (!headerValue(req, "Amazon-Advertising-API-MarketplaceId")) {
    throw new AmcHttpError(400, "Missing header Amazon-Advertising-API-MarketplaceId.");
  }
  let owners = instanceAdvertisers.get(context);
  if (!owners) {
    owners = new Map();
    instanceAdvertisers.set(context, owners);
  }
  const owner = owners.get(instanceId);
  if (owner === undefined) owners.set(instanceId, advertiserId);
  else if (owner !== advertiserId) {
    throw new AmcHttpError(
      403,
      `Advertiser ${advertiserId} is not authorized for AMC instance ${instanceId}.`,
    );
  }
}

/** Handles one AMC call after the faults and header checks passed. */
export async function handleAmcRoute(
  context: AmcRouteContext,
  route: AmcRoute,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { instanceId, resourceId } = route;
  const sendExecution = (execution: SandboxExecution, status = 200) => {
    const json = toExecutionJson(execution);
    sendJson(res, status, context.wrapExecutionResponses ? { workflowExecution: json } : json);
  };

  switch (route.endpoint) {
    case "createExecution":
      sendExecution(await createExecutionFromRequest(context, instanceId, req));
      return;
    case "getExecution":
      sendExecution(context.executions.get(instanceId, resourceId!));
      return;
    case "cancelExecution": {
      if (req.method === "PUT") {
        const body = await readJsonObject(req);
        if (body.status !== "CANCELLED") {
          throw new AmcHttpError(
            400,
            `status ${JSON.stringify(body.status)} is invalid: only {"status": "CANCELLED"} is accepted.`,
          );
        }
      }
      sendExecution(context.executions.cancel(instanceId, resourceId!));
      return;
    }
    case "listExecutions": {
      const query = Object.fromEntries(url.searchParams) as ListQuery;
      const page = context.executions.list(instanceId, query);
      sendJson(res, 200, {
        executions: page.executions.map(toExecutionJson),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      });
      return;
    }
    case "downloadUrls":
      sendJson(
        res,
        200,
        downloadUrls(context, instanceId, resourceId!, url.searchParams.get("nextToken")),
      );
      return;
    default:
      await handleWorkflowRoute(context, route, req, res);
  }
}

/** Validates a create body and creates the execution. */
export async function createExecutionFromRequest(
  context: AmcRouteContext,
  instanceId: string,
  req: IncomingMessage,
): Promise<SandboxExecution> {
  const body = await readJsonObject(req);
  const valid = validateCreateExecution(body, context.clock(), (workflowId) =>
    context.workflows.find(instanceId, workflowId),
  );
  return context.executions.create(instanceId, valid);
}

function downloadUrls(
  context: AmcRouteContext,
  instanceId: string,
  executionId: string,
  nextToken: string | null,
): Record<string, unknown> {
  const execution = context.executions.get(instanceId, executionId);
  if (execution.status !== "SUCCEEDED" || !execution.result) {
    throw new AmcHttpError(400, `Execution with ID ${executionId} is unavailable for download.`);
  }
  const offset = nextToken ? Number(nextToken) : 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new AmcHttpError(
      400,
      `nextToken "${nextToken}" is invalid: pass the token of the previous page.`,
    );
  }
  const partCount = execution.result.parts.length;
  const end = Math.min(offset + URLS_PER_PAGE, partCount);
  const sign = (file: string) =>
    context.signer.sign(context.baseUrl(), instanceId, executionId, file);
  const urls: string[] = [];
  for (let index = offset; index < end; index++) {
    urls.push(sign(`part-${String(index + 1).padStart(5, "0")}.csv`));
  }
  return {
    downloadUrls: urls,
    metadataDownloadUrls: offset === 0 ? [sign("metadata.json")] : [],
    ...(end < partCount ? { nextToken: String(end) } : {}),
  };
}

async function handleWorkflowRoute(
  context: AmcRouteContext,
  route: AmcRoute,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { instanceId, resourceId } = route;
  switch (route.endpoint) {
    case "createWorkflow": {
      // NOTE: AMC also checks the SQL when a workflow is saved. The sandbox checks it only when
      // an execution runs, so a rule violation shows up as a FAILED execution instead of a 400.
      const workflow = validateWorkflow(await readJsonObject(req));
      sendJson(res, 200, context.workflows.create(instanceId, workflow));
      return;
    }
    case "updateWorkflow": {
      const workflow = validateWorkflow(await readJsonObject(req), resourceId);
      sendJson(res, 200, context.workflows.update(instanceId, workflow));
      return;
    }
    case "getWorkflow":
      sendJson(res, 200, context.workflows.get(instanceId, resourceId!));
      return;
    case "deleteWorkflow":
      context.workflows.delete(instanceId, resourceId!);
      sendJson(res, 200, {});
      return;
    case "listWorkflows":
      sendJson(res, 200, { workflows: context.workflows.list(instanceId) });
      return;
    default:
      throw new AmcHttpError(404, `No route for ${req.method} ${req.url}.`);
  }
}
