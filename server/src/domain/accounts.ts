import type { Account } from "../generated/prisma/client.ts";
import type { Region } from "../generated/prisma/enums.ts";
import { decryptCredentials, encryptCredentials, type AccountCredentials } from "../db/secrets.ts";
import { isUniqueViolation, isUuid, type Db } from "./db.ts";
import { ConflictError, DomainValidationError, NotFoundError } from "./errors.ts";
import { UserErrorList } from "./fields.ts";

// AMC advertiser accounts. Credentials are encrypted before they are stored and never leave
// this module: every function returns an AccountView, which has no credentials field.

/** An account as callers see it: every column except the encrypted credentials. */
export type AccountView = Omit<Account, "credentials">;

/** Input of createAccount. */
export interface AccountInput {
  name: string;
  region: Region;
  /** AMC entity id, sent as the Amazon-Advertising-API-AdvertiserId header. */
  entityId: string;
  /** Sent as the Amazon-Advertising-API-MarketplaceId header. */
  marketplaceId: string;
  /** Base URL of the Amazon Ads API; the region's default when omitted. */
  apiBaseUrl?: string | null;
  /** Login with Amazon token URL; the region's default when omitted. */
  tokenUrl?: string | null;
  credentials: AccountCredentials;
  isSandbox?: boolean | null;
}

/** Fields updateAccount changes; omitted fields stay, and credential fields may be given singly. */
export type AccountPatch = Partial<Omit<AccountInput, "credentials">> & {
  credentials?: Partial<AccountCredentials> | null;
};

/**
 * Default Amazon Ads API and Login with Amazon token endpoints per region. They are stored as
 * data for the AMC client; nothing in this module calls them.
 */
export const regionEndpoints: Readonly<Record<Region, { apiBaseUrl: string; tokenUrl: string }>> = {
  NA: {
    apiBaseUrl: "https://advertising-api.amazon.com",
    tokenUrl: "https://api.amazon.com/auth/o2/token",
  },
  EU: {
    apiBaseUrl: "https://advertising-api-eu.amazon.com",
    tokenUrl: "https://api.amazon.co.uk/auth/o2/token",
  },
  FE: {
    apiBaseUrl: "https://advertising-api-fe.amazon.com",
    tokenUrl: "https://api.amazon.co.jp/auth/o2/token",
  },
};

const regions = Object.keys(regionEndpoints) as Region[];
const MAX_NAME_LENGTH = 200;
const MAX_CREDENTIAL_LENGTH = 4_096;
const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Removes the credentials from an account row. */
export function toAccountView(account: Account): AccountView {
  const { credentials: _credentials, ...view } = account;
  return view;
}

/** Validates an account, encrypts its credentials with `secretKey` and stores it. */
export async function createAccount(
  prisma: Db,
  secretKey: Buffer,
  input: AccountInput,
): Promise<AccountView> {
  const problems = new UserErrorList();
  const fields = validateAccountFields(problems, input);
  const credentials = validateCredentials(problems, input.credentials);
  if (problems.errors.length > 0 || !credentials) throw new DomainValidationError(problems.errors);

  try {
    const account = await prisma.account.create({
      data: {
        ...fields,
        credentials: encryptCredentials(secretKey, credentials),
        isSandbox: input.isSandbox ?? false,
      },
    });
    return toAccountView(account);
  } catch (error) {
    throw nameTakenOr(error, fields.name);
  }
}

/**
 * Applies a patch to an account. Credential fields given replace the stored ones, the others
 * are kept. When the region changes and the stored URLs were the old region's defaults, they
 * move to the new region's defaults. Throws NotFoundError or DomainValidationError.
 */
export async function updateAccount(
  prisma: Db,
  secretKey: Buffer,
  id: string,
  patch: AccountPatch,
): Promise<AccountView> {
  const current = isUuid(id) ? await prisma.account.findUnique({ where: { id } }) : null;
  if (!current) throw new NotFoundError("Account", id);

  const region = patch.region ?? current.region;
  const oldDefaults = regionEndpoints[current.region];
  const keepUrl = (patched: string | null | undefined, stored: string, oldDefault: string) =>
    patched ?? (stored === oldDefault && region !== current.region ? undefined : stored);
  const problems = new UserErrorList();
  const fields = validateAccountFields(problems, {
    name: patch.name ?? current.name,
    region,
    entityId: patch.entityId ?? current.entityId,
    marketplaceId: patch.marketplaceId ?? current.marketplaceId,
    apiBaseUrl: keepUrl(patch.apiBaseUrl, current.apiBaseUrl, oldDefaults.apiBaseUrl),
    tokenUrl: keepUrl(patch.tokenUrl, current.tokenUrl, oldDefaults.tokenUrl),
  });
  // Stored secrets go only to the hosts they were entered for, or to Amazon's own regional
  // hosts: moving a URL anywhere else needs the secrets again, so that an API caller cannot
  // redirect them to a host of its own.
  const movesTo = (next: string, stored: string) =>
    hostOf(next) !== hostOf(stored) && !amazonHosts.has(hostOf(next));
  const movesSecrets =
    movesTo(fields.apiBaseUrl, current.apiBaseUrl) || movesTo(fields.tokenUrl, current.tokenUrl);
  if (movesSecrets && !(patch.credentials?.clientSecret && patch.credentials?.refreshToken)) {
    problems.add(
      "credentials",
      "Changing the host of apiBaseUrl or tokenUrl requires entering clientSecret and " +
        "refreshToken again, so that stored secrets are never sent to a new host.",
      "CREDENTIALS_REQUIRED",
    );
  }
  let credentials: AccountCredentials | null = null;
  if (patch.credentials) {
    const merged = {
      ...decryptCredentials(secretKey, current.credentials),
      ...definedOnly(patch.credentials),
    };
    credentials = validateCredentials(problems, merged);
  }
  if (problems.errors.length > 0) throw new DomainValidationError(problems.errors);

  try {
    const account = await prisma.account.update({
      where: { id },
      data: {
        ...fields,
        ...(credentials ? { credentials: encryptCredentials(secretKey, credentials) } : {}),
        ...(patch.isSandbox != null ? { isSandbox: patch.isSandbox } : {}),
      },
    });
    return toAccountView(account);
  } catch (error) {
    throw nameTakenOr(error, fields.name);
  }
}

function validateAccountFields(
  problems: UserErrorList,
  input: Omit<AccountInput, "credentials" | "isSandbox">,
) {
  const region = input.region;
  if (!regions.includes(region)) {
    problems.add(
      "region",
      `Region "${String(region)}" is invalid: use NA, EU or FE.`,
      "INVALID_FIELD",
    );
  }
  const defaults = regionEndpoints[region] ?? regionEndpoints.NA;
  return {
    name: problems.text("name", input.name, MAX_NAME_LENGTH) ?? "",
    region,
    entityId:
      problems.text("entityId", input.entityId, 100, /^\S+$/, "it must not contain spaces") ?? "",
    marketplaceId:
      problems.text(
        "marketplaceId",
        input.marketplaceId,
        40,
        /^[A-Za-z0-9]+$/,
        "use letters and digits only",
      ) ?? "",
    apiBaseUrl: checkUrl(problems, "apiBaseUrl", input.apiBaseUrl ?? defaults.apiBaseUrl),
    tokenUrl: checkUrl(problems, "tokenUrl", input.tokenUrl ?? defaults.tokenUrl),
  };
}

/**
 * Accepts https URLs, and http only on loopback (the local AMC sandbox), because the
 * credentials travel to these URLs.
 */
/** Returns the host (with port) of a URL, or the text itself when it does not parse. */
function hostOf(text: string): string {
  try {
    return new URL(text).host;
  } catch {
    return text;
  }
}

/** Hosts of Amazon's regional API and token endpoints. */
const amazonHosts = new Set(
  Object.values(regionEndpoints).flatMap((endpoints) => [
    hostOf(endpoints.apiBaseUrl),
    hostOf(endpoints.tokenUrl),
  ]),
);

/** Link-local addresses, where cloud metadata services listen; never an AMC endpoint. */
function isLinkLocal(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return /^169\.254\./.test(bare) || bare.startsWith("fe80:") || bare === "fd00:ec2::254";
}

function checkUrl(problems: UserErrorList, field: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.add(field, `${field} "${text}" is not a valid URL.`, "INVALID_URL");
    return text;
  }
  const secure = url.protocol === "https:";
  const loopback = url.protocol === "http:" && loopbackHosts.has(url.hostname);
  if (!secure && !loopback) {
    problems.add(
      field,
      `${field} "${text}" is invalid: use an https URL (plain http is accepted only for 127.0.0.1, localhost or [::1]).`,
      "INVALID_URL",
    );
  }
  if (url.username || url.password) {
    problems.add(field, `${field} must not contain a user name or password.`, "INVALID_URL");
  }
  if (isLinkLocal(url.hostname)) {
    problems.add(
      field,
      `${field} "${text}" is invalid: link-local addresses (169.254.0.0/16, fe80::/10) are not AMC endpoints.`,
      "INVALID_URL",
    );
  }
  return text.replace(/\/+$/, "");
}

/** Checks the credential fields without ever putting their values into a message. */
function validateCredentials(
  problems: UserErrorList,
  credentials: Partial<AccountCredentials> | null | undefined,
): AccountCredentials | null {
  const result: Partial<AccountCredentials> = {};
  for (const key of ["clientId", "clientSecret", "refreshToken"] as const) {
    const value = credentials?.[key];
    if (typeof value !== "string" || value.trim() === "") {
      problems.add(`credentials.${key}`, `credentials.${key} is missing.`, "MISSING_FIELD");
    } else if (value.length > MAX_CREDENTIAL_LENGTH) {
      problems.add(
        `credentials.${key}`,
        `credentials.${key} is longer than ${MAX_CREDENTIAL_LENGTH} characters.`,
        "INVALID_FIELD",
      );
    } else {
      result[key] = value.trim();
    }
  }
  return Object.keys(result).length === 3 ? (result as AccountCredentials) : null;
}

function definedOnly(values: Partial<AccountCredentials>): Partial<AccountCredentials> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value != null));
}

function nameTakenOr(error: unknown, name: string): unknown {
  if (!isUniqueViolation(error)) return error;
  return DomainValidationError.of(
    ["input", "name"],
    `An account named "${name}" already exists: choose another name.`,
    "NAME_TAKEN",
  );
}

/**
 * Deletes an account, with its encrypted credentials, once it has no instances. Throws
 * NotFoundError, or ConflictError (ACCOUNT_IN_USE) while instances of the account exist.
 */
export async function deleteAccount(prisma: Db, id: string): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError("Account", id);
  await prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Account" WHERE id = ${id}::uuid FOR UPDATE`;
    if (rows.length === 0) throw new NotFoundError("Account", id);
    const instances = await tx.instance.count({ where: { accountId: id } });
    if (instances > 0) {
      throw new ConflictError(
        `Account ${id} has ${instances} instance(s): delete them first.`,
        "ACCOUNT_IN_USE",
        [["Account", id]],
      );
    }
    await tx.account.delete({ where: { id } });
  });
}
