import { request, type ApiTarget } from "./client.ts";
import { instancesQuery, workflowsQuery } from "./documents.ts";
import { UsageError } from "./errors.ts";

interface Named {
  id: string;
  name: string;
  amcInstanceId?: string;
}

/** Resolves a workflow given by global id or by name. */
export async function findWorkflowId(target: ApiTarget, nameOrId: string): Promise<string> {
  const data = await request<{ workflows: { nodes: Named[] } }>(target, workflowsQuery);
  return pick("workflow", nameOrId, data.workflows.nodes);
}

/** Resolves an instance given by global id, name or AMC instance id. */
export async function findInstanceId(target: ApiTarget, nameOrId: string): Promise<string> {
  const data = await request<{ instances: { nodes: Named[] } }>(target, instancesQuery);
  return pick("instance", nameOrId, data.instances.nodes);
}

function pick(kind: string, wanted: string, candidates: Named[]): string {
  const match = candidates.find(
    (item) => item.id === wanted || item.name === wanted || item.amcInstanceId === wanted,
  );
  if (match) return match.id;
  const known =
    candidates
      .map((item) =>
        item.amcInstanceId ? `${item.amcInstanceId} ("${item.name}")` : `"${item.name}"`,
      )
      .join(", ") || "none";
  throw new UsageError(`Unknown ${kind} "${wanted}". Known: ${known}.`);
}
