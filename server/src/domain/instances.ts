import type { Instance } from "../generated/prisma/client.ts";
import { isUniqueViolation, isUuid, type Db } from "./db.ts";
import { ConflictError, DomainValidationError, NotFoundError } from "./errors.ts";
import { UserErrorList } from "./fields.ts";

// AMC instances of an account. The AMC instance id goes into API paths, so it is limited to
// the characters AMC's own ids use.

/** Input of createInstance. */
export interface InstanceInput {
  accountId: string;
  /** AMC's instance id, for example "amcibersblt". */
  amcInstanceId: string;
  name: string;
  /** Executions kept running at once on the instance; 10 when omitted (AMC's own limit). */
  maxConcurrentExecutions?: number | null;
}

/** Fields updateInstance changes; omitted fields stay as they are. The account is fixed. */
export type InstancePatch = Partial<Omit<InstanceInput, "accountId">>;

const AMC_INSTANCE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_INSTANCE_NAME_LENGTH = 200;
/** AMC runs 10 executions at once per instance and queues the rest. */
export const DEFAULT_MAX_CONCURRENT_EXECUTIONS = 10;
export const MAX_CONCURRENT_EXECUTIONS_LIMIT = 1000;

/** Validates and stores an instance. Throws DomainValidationError. */
export async function createInstance(prisma: Db, input: InstanceInput): Promise<Instance> {
  const problems = new UserErrorList();
  const account = isUuid(input.accountId)
    ? await prisma.account.findUnique({ where: { id: input.accountId }, select: { id: true } })
    : null;
  if (!account)
    problems.add("accountId", `Account ${input.accountId} not found.`, "UNKNOWN_ACCOUNT");
  const fields = validateInstanceFields(problems, {
    ...input,
    maxConcurrentExecutions: input.maxConcurrentExecutions ?? DEFAULT_MAX_CONCURRENT_EXECUTIONS,
  });
  if (problems.errors.length > 0) throw new DomainValidationError(problems.errors);

  try {
    return await prisma.instance.create({ data: { accountId: input.accountId, ...fields } });
  } catch (error) {
    throw duplicateOr(error, fields.amcInstanceId);
  }
}

/** Applies a patch to an instance. Throws NotFoundError or DomainValidationError. */
export async function updateInstance(
  prisma: Db,
  id: string,
  patch: InstancePatch,
): Promise<Instance> {
  const current = isUuid(id) ? await prisma.instance.findUnique({ where: { id } }) : null;
  if (!current) throw new NotFoundError("Instance", id);
  const problems = new UserErrorList();
  const fields = validateInstanceFields(problems, {
    amcInstanceId: patch.amcInstanceId ?? current.amcInstanceId,
    name: patch.name ?? current.name,
    maxConcurrentExecutions: patch.maxConcurrentExecutions ?? current.maxConcurrentExecutions,
  });
  if (problems.errors.length > 0) throw new DomainValidationError(problems.errors);
  try {
    return await prisma.instance.update({ where: { id }, data: fields });
  } catch (error) {
    throw duplicateOr(error, fields.amcInstanceId);
  }
}

function validateInstanceFields(
  problems: UserErrorList,
  input: { amcInstanceId: unknown; name: unknown; maxConcurrentExecutions: unknown },
) {
  const amcInstanceId = problems.text(
    "amcInstanceId",
    input.amcInstanceId,
    64,
    AMC_INSTANCE_ID_PATTERN,
    "use the instance id shown in AMC: letters, digits, '-' and '_'",
  );
  const name = problems.text("name", input.name, MAX_INSTANCE_NAME_LENGTH);
  const maxConcurrentExecutions = problems.integer(
    "maxConcurrentExecutions",
    input.maxConcurrentExecutions,
    1,
    MAX_CONCURRENT_EXECUTIONS_LIMIT,
  );
  return {
    amcInstanceId: amcInstanceId ?? "",
    name: name ?? "",
    maxConcurrentExecutions: maxConcurrentExecutions ?? DEFAULT_MAX_CONCURRENT_EXECUTIONS,
  };
}

function duplicateOr(error: unknown, amcInstanceId: string): unknown {
  if (!isUniqueViolation(error)) return error;
  return DomainValidationError.of(
    ["input", "amcInstanceId"],
    `Instance ${amcInstanceId} is already registered for this account.`,
    "DUPLICATE_INSTANCE",
  );
}

/**
 * Deletes an instance that no collection uses. Throws NotFoundError, or ConflictError
 * (INSTANCE_IN_USE) while collections of the instance exist: delete those first.
 */
export async function deleteInstance(prisma: Db, id: string): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError("Instance", id);
  await prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Instance" WHERE id = ${id}::uuid FOR UPDATE`;
    if (rows.length === 0) throw new NotFoundError("Instance", id);
    const collections = await tx.collection.count({ where: { instanceId: id } });
    if (collections > 0) {
      throw new ConflictError(
        `Instance ${id} is used by ${collections} collection(s): delete them first.`,
        "INSTANCE_IN_USE",
        [["Instance", id]],
      );
    }
    await tx.instance.delete({ where: { id } });
  });
}
