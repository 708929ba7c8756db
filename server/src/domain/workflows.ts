import type { Prisma, Workflow } from "../generated/prisma/client.ts";
import { isUniqueViolation, isUuid, type Db } from "./db.ts";
import { DomainValidationError, NotFoundError } from "./errors.ts";
import { UserErrorList } from "./fields.ts";
import { parseParameterDefinitions, type ParameterDefinition } from "./parameters.ts";
import { findUnknownPlaceholders, strayBraces, unknownPlaceholdersError } from "./render.ts";

// Workflows: SQL templates with declared parameters. A workflow's version increases whenever
// its SQL or its parameters change; collections keep the version they were created with.

/** Input of createWorkflow. */
export interface WorkflowInput {
  name: string;
  description?: string | null;
  sqlTemplate: string;
  /** Declared parameters: [{name, type, defaultValue, required, passAs}]. */
  parameters?: unknown;
}

/** Fields updateWorkflow changes; omitted fields stay as they are. */
export type WorkflowPatch = Partial<WorkflowInput>;

export const MAX_WORKFLOW_NAME_LENGTH = 200;
export const MAX_DESCRIPTION_LENGTH = 2_000;
/** Longest accepted SQL template, in characters. */
export const MAX_SQL_TEMPLATE_LENGTH = 100_000;

interface ValidWorkflow {
  name: string;
  description: string;
  sqlTemplate: string;
  parameters: ParameterDefinition[];
}

/** Validates and stores a new workflow at version 1. Throws DomainValidationError. */
export async function createWorkflow(prisma: Db, input: WorkflowInput): Promise<Workflow> {
  const valid = validateWorkflow(input);
  try {
    return await prisma.workflow.create({ data: toData(valid) });
  } catch (error) {
    throw nameTakenOr(error, valid.name);
  }
}

/**
 * Applies a patch to a workflow and increases its version when the SQL or the parameters
 * change. Collections already created keep their snapshot. Throws NotFoundError or
 * DomainValidationError.
 */
export async function updateWorkflow(
  prisma: Db,
  id: string,
  patch: WorkflowPatch,
): Promise<Workflow> {
  if (!isUuid(id)) throw new NotFoundError("Workflow", id);
  return prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM "Workflow" WHERE id = $1::uuid FOR UPDATE`,
      id,
    );
    if (rows.length === 0) throw new NotFoundError("Workflow", id);
    const current = await tx.workflow.findUniqueOrThrow({ where: { id } });
    const valid = validateWorkflow({
      name: patch.name ?? current.name,
      description: patch.description ?? current.description,
      sqlTemplate: patch.sqlTemplate ?? current.sqlTemplate,
      parameters: patch.parameters ?? current.parameters,
    });
    const changed =
      valid.sqlTemplate !== current.sqlTemplate ||
      // Stored JSONB reorders object keys, so compare the re-parsed definitions.
      JSON.stringify(valid.parameters) !== JSON.stringify(workflowParameters(current));
    try {
      return await tx.workflow.update({
        where: { id },
        data: { ...toData(valid), ...(changed ? { version: { increment: 1 } } : {}) },
      });
    } catch (error) {
      throw nameTakenOr(error, valid.name);
    }
  });
}

/** Checks a workflow's fields, parameters and placeholders; throws listing every problem. */
export function validateWorkflow(input: WorkflowInput): ValidWorkflow {
  const problems = new UserErrorList();
  const name = problems.text("name", input.name, MAX_WORKFLOW_NAME_LENGTH);
  const description = typeof input.description === "string" ? input.description.trim() : "";
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    problems.add(
      "description",
      `description is ${description.length} characters long; the maximum is ${MAX_DESCRIPTION_LENGTH}.`,
      "INVALID_FIELD",
    );
  }
  const sqlTemplate = problems.text("sqlTemplate", input.sqlTemplate, MAX_SQL_TEMPLATE_LENGTH);

  const parsed = parseParameterDefinitions(input.parameters ?? [], ["input", "parameters"]);
  problems.errors.push(...parsed.errors);
  if (sqlTemplate !== null) {
    // A placeholder whose declaration is invalid already has that error reported.
    const invalidlyDeclared = namesOfInvalidDeclarations(input.parameters, parsed.definitions);
    const unknown = findUnknownPlaceholders(sqlTemplate, parsed.definitions).filter(
      (placeholder) => !invalidlyDeclared.has(placeholder),
    );
    if (unknown.length > 0) {
      const error = unknownPlaceholdersError(unknown, parsed.definitions);
      problems.errors.push({ ...error, field: ["input", "sqlTemplate"] });
    }
    if (!startsWithQuery(sqlTemplate)) {
      problems.add(
        "sqlTemplate",
        "SQL must be a query that starts with SELECT or WITH (after any comments): AMC runs " +
          "only queries.",
        "NOT_A_QUERY",
      );
    }
    const stray = strayBraces(sqlTemplate);
    if (stray.length > 0) {
      problems.add(
        "sqlTemplate",
        `Template has malformed placeholders: ${stray.join(", ")}. Write placeholders as {{name}}.`,
        "MALFORMED_PLACEHOLDER",
      );
    }
  }

  if (problems.errors.length > 0) throw new DomainValidationError(problems.errors);
  return { name: name!, description, sqlTemplate: sqlTemplate!, parameters: parsed.definitions };
}

/** Returns true when the SQL, after leading comments, starts with SELECT or WITH. */
function startsWithQuery(sql: string): boolean {
  const body = sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, "");
  return /^(select|with)\b/i.test(body);
}

/** Returns a workflow's declared parameters; stored rows were validated when saved. */
export function workflowParameters(workflow: Pick<Workflow, "parameters">): ParameterDefinition[] {
  return parseParameterDefinitions(workflow.parameters).definitions;
}

function toData(valid: ValidWorkflow) {
  return {
    name: valid.name,
    description: valid.description,
    sqlTemplate: valid.sqlTemplate,
    parameters: valid.parameters as unknown as Prisma.InputJsonValue,
  };
}

function nameTakenOr(error: unknown, name: string): unknown {
  if (!isUniqueViolation(error)) return error;
  return DomainValidationError.of(
    ["input", "name"],
    `A workflow named "${name}" already exists: choose another name.`,
    "NAME_TAKEN",
  );
}

/** Returns the names of declared parameters that did not parse into a definition. */
function namesOfInvalidDeclarations(
  raw: unknown,
  definitions: readonly ParameterDefinition[],
): Set<string> {
  const valid = new Set(definitions.map((definition) => definition.name));
  const names = new Set<string>();
  if (!Array.isArray(raw)) return names;
  for (const item of raw) {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name === "string" && !valid.has(name)) names.add(name);
  }
  return names;
}
