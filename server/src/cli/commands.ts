import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { request, type ApiTarget } from "./client.ts";
import {
  changeCollectionStatus,
  createCollection,
  deleteCollection,
  formatCollection,
  formatCollections,
  getCollection,
  listCollections,
  retryFailedWeeks,
  retryWeek,
} from "./collections.ts";
import { createApiTokenMutation, instancesQuery, workflowsQuery } from "./documents.ts";
import { UsageError, UserErrorsError } from "./errors.ts";
import { findInstanceId, findWorkflowId } from "./lookup.ts";
import { formatTable, print, type Output } from "./output.ts";
import { waitForCollection } from "./wait.ts";

/** Parsed options of one command; values are strings, booleans or repeated strings. */
export type Options = Record<string, string | boolean | string[] | undefined>;

/** Everything a command needs to run. */
export interface CommandContext {
  target: ApiTarget;
  output: Output;
  args: string[];
  options: Options;
}

/** A subcommand of the tool. */
export interface Command {
  usage: string;
  summary: string;
  /** Options beyond the global ones, in node:util parseArgs form. */
  options?: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>;
  /** Runs the command and returns the process exit status. */
  run(context: CommandContext): Promise<number>;
}

function requireArg(context: CommandContext, name: string): string {
  const value = context.args[0];
  if (!value) throw new UsageError(`Missing ${name}.`);
  return value;
}

function requireOption(options: Options, name: string): string {
  const value = options[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`Missing --${name}.`);
  return value;
}

/** Parses repeated `--param name=value` options; values that parse as JSON keep their type. */
export function parseParams(entries: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const entry of entries) {
    const separator = entry.indexOf("=");
    if (separator <= 0) {
      throw new UsageError(
        `Invalid --param "${entry}": expected name=value, e.g. --param min_spend=10.`,
      );
    }
    const raw = entry.slice(separator + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: the value is the plain string.
    }
    params[entry.slice(0, separator)] = value;
  }
  return params;
}

const create: Command = {
  usage:
    "create --workflow NAME|ID --instance NAME|ID --start YYYY-MM-DD [--end YYYY-MM-DD] [--name NAME] " +
    "[--timezone ZONE] [--param name=value ...] [--mode BACKFILL|ROLLING] [--expand] " +
    "[--idempotency-key KEY] [--wait]",
  summary: "Create a collection; --wait follows it to the end with a progress bar",
  options: {
    workflow: { type: "string" },
    instance: { type: "string" },
    start: { type: "string" },
    end: { type: "string" },
    name: { type: "string" },
    timezone: { type: "string" },
    param: { type: "string", multiple: true },
    mode: { type: "string" },
    expand: { type: "boolean" },
    "idempotency-key": { type: "string" },
    wait: { type: "boolean" },
  },
  async run({ target, output, options }) {
    const workflow = requireOption(options, "workflow");
    const startDate = requireOption(options, "start");
    const endDate = options.end as string | undefined;
    const collection = await createCollection(target, {
      name:
        (options.name as string | undefined) ?? `${workflow} ${startDate}..${endDate ?? "rolling"}`,
      workflowId: await findWorkflowId(target, workflow),
      instanceId: await findInstanceId(target, requireOption(options, "instance")),
      startDate,
      ...(endDate ? { endDate } : {}),
      ...(options.timezone ? { timezone: options.timezone as string } : {}),
      ...(options.mode ? { mode: (options.mode as string).toUpperCase() } : {}),
      ...(options.param ? { parameters: parseParams(options.param as string[]) } : {}),
      ...(options.expand ? { expandToWholeWeeks: true } : {}),
      ...(options["idempotency-key"]
        ? { idempotencyKey: options["idempotency-key"] as string }
        : {}),
    });
    if (!options.wait) {
      print(output, collection, () => formatCollection(collection));
      return 0;
    }
    if (!output.json) process.stderr.write(`Created ${collection.name} (${collection.id})\n`);
    const settled = await waitForCollection(target, collection.id, { quiet: output.json });
    print(output, settled, () => formatCollection(settled));
    return settled.status === "COMPLETED" ? 0 : 1;
  },
};

const list: Command = {
  usage: "list [--status STATUS] [--search TEXT] [--first N]",
  summary: "List collections with their progress",
  options: { status: { type: "string" }, search: { type: "string" }, first: { type: "string" } },
  async run({ target, output, options }) {
    const first = options.first ? Number(options.first) : 50;
    if (!Number.isInteger(first) || first < 1) {
      throw new UsageError(
        `Invalid --first "${String(options.first)}": expected a positive whole number.`,
      );
    }
    const result = await listCollections(target, {
      ...(options.status ? { status: (options.status as string).toUpperCase() } : {}),
      ...(options.search ? { search: options.search as string } : {}),
      first,
    });
    print(output, result, () =>
      result.nodes.length === 0
        ? "No collections."
        : `${formatCollections(result.nodes)}\n(${result.nodes.length} of ${result.totalCount})`,
    );
    return 0;
  },
};

const show: Command = {
  usage: "show COLLECTION_ID",
  summary: "Show a collection and its weeks",
  async run(context) {
    const id = requireArg(context, "COLLECTION_ID");
    const collection = await getCollection(context.target, id);
    if (!collection)
      throw new Error(`Collection ${id} not found: list collections to find its id.`);
    print(context.output, collection, () => {
      const weeks = formatTable(
        ["WEEK", "ID", "DATES", "STATUS", "ATTEMPTS", "ERROR"],
        collection.weeks.nodes.map((w) => [
          w.isoWeek,
          w.id,
          `${w.startDate}..${w.endDate}`,
          w.status,
          String(w.attempts),
          w.errorMessage ?? "",
        ]),
      );
      return `${formatCollection(collection)}\n\n${weeks}`;
    });
    return 0;
  },
};

const wait: Command = {
  usage: "wait COLLECTION_ID",
  summary: "Follow a collection until it completes, fails or is cancelled",
  async run(context) {
    const settled = await waitForCollection(context.target, requireArg(context, "COLLECTION_ID"), {
      quiet: context.output.json,
    });
    print(context.output, settled, () => formatCollection(settled));
    return settled.status === "COMPLETED" ? 0 : 1;
  },
};

function statusCommand(
  mutation: "pauseCollection" | "resumeCollection" | "cancelCollection",
  summary: string,
): Command {
  return {
    usage: `${mutation.replace("Collection", "")} COLLECTION_ID`,
    summary,
    async run(context) {
      const collection = await changeCollectionStatus(
        context.target,
        mutation,
        requireArg(context, "COLLECTION_ID"),
      );
      print(context.output, collection, () => formatCollection(collection));
      return 0;
    },
  };
}

const remove: Command = {
  usage: "delete COLLECTION_ID",
  summary: "Delete a collection, its weeks and results; running AMC executions are cancelled",
  async run(context) {
    const id = await deleteCollection(context.target, requireArg(context, "COLLECTION_ID"));
    print(context.output, { deletedCollectionId: id }, () => `Deleted ${id}.`);
    return 0;
  },
};

const retry: Command = {
  usage: "retry-week WEEK_ID [--force]",
  summary: "Run a failed or cancelled week again (--force also reruns a succeeded week)",
  options: { force: { type: "boolean" } },
  async run(context) {
    const week = await retryWeek(
      context.target,
      requireArg(context, "WEEK_ID"),
      Boolean(context.options.force),
    );
    print(
      context.output,
      week,
      () => `Week ${week.isoWeek} is ${week.status} (attempt ${week.attempts + 1} next).`,
    );
    return 0;
  },
};

const retryFailed: Command = {
  usage: "retry-failed COLLECTION_ID",
  summary: "Run every failed week of a collection again",
  async run(context) {
    const result = await retryFailedWeeks(context.target, requireArg(context, "COLLECTION_ID"));
    print(context.output, result, () => `Retrying ${result.retriedCount} failed week(s).`);
    return 0;
  },
};

const exportResults: Command = {
  usage: "export COLLECTION_ID [--format csv|json] [--output FILE]",
  summary: "Download a collection's combined weekly results",
  options: { format: { type: "string" }, output: { type: "string", short: "o" } },
  async run({ target, args, options }) {
    const id = args[0];
    if (!id) throw new UsageError("Missing COLLECTION_ID.");
    const format = (options.format as string | undefined) ?? "csv";
    if (format !== "csv" && format !== "json") {
      throw new UsageError(`Invalid --format "${format}": expected csv or json.`);
    }
    const url = new URL(`/export/collections/${encodeURIComponent(id)}.${format}`, target.url);
    const response = await fetch(url, {
      headers: target.token ? { authorization: `Bearer ${target.token}` } : {},
    });
    if (!response.ok || !response.body) {
      const detail = await response.text().catch(() => "");
      throw new Error(`Export failed with HTTP ${response.status}: ${detail.slice(0, 500)}`);
    }
    const destination = options.output
      ? createWriteStream(options.output as string)
      : process.stdout;
    await pipeline(
      Readable.fromWeb(response.body as import("node:stream/web").ReadableStream),
      destination,
    );
    return 0;
  },
};

const token: Command = {
  usage: "token create --role viewer|operator|admin --name NAME",
  summary: "Create an API token (needs an admin token unless the server runs open)",
  options: { role: { type: "string" }, name: { type: "string" } },
  async run({ target, output, args, options }) {
    if (args[0] !== "create") throw new UsageError('Expected "token create".');
    const role = requireOption(options, "role").toUpperCase();
    const data = await request<{
      createApiToken: {
        token: string | null;
        apiToken: { id: string; name: string; role: string; prefix: string } | null;
        userErrors: ConstructorParameters<typeof UserErrorsError>[0];
      };
    }>(target, createApiTokenMutation, { input: { role, name: requireOption(options, "name") } });
    const payload = data.createApiToken;
    if (payload.userErrors.length > 0) throw new UserErrorsError(payload.userErrors);
    print(output, payload, () => `${payload.token}\n(shown once: store it now)`);
    return 0;
  },
};

const workflows: Command = {
  usage: "workflows",
  summary: "List workflows",
  async run({ target, output }) {
    const data = await request<{
      workflows: { nodes: { id: string; name: string; version: number }[] };
    }>(target, workflowsQuery);
    print(output, data.workflows.nodes, () =>
      formatTable(
        ["ID", "NAME", "VERSION"],
        data.workflows.nodes.map((w) => [w.id, w.name, String(w.version)]),
      ),
    );
    return 0;
  },
};

const instances: Command = {
  usage: "instances",
  summary: "List AMC instances",
  async run({ target, output }) {
    const data = await request<{
      instances: {
        nodes: { id: string; name: string; amcInstanceId: string; account: { name: string } }[];
      };
    }>(target, instancesQuery);
    print(output, data.instances.nodes, () =>
      formatTable(
        ["ID", "NAME", "AMC INSTANCE", "ACCOUNT"],
        data.instances.nodes.map((i) => [i.id, i.name, i.amcInstanceId, i.account.name]),
      ),
    );
    return 0;
  },
};

/** Every command, by the name typed on the command line. */
export const commands: Record<string, Command> = {
  create,
  list,
  show,
  wait,
  pause: statusCommand("pauseCollection", "Stop submitting new weeks; running ones finish"),
  resume: statusCommand("resumeCollection", "Continue a paused collection"),
  cancel: statusCommand("cancelCollection", "Cancel every waiting and running week"),
  delete: remove,
  "retry-week": retry,
  "retry-failed": retryFailed,
  export: exportResults,
  token,
  workflows,
  instances,
};
