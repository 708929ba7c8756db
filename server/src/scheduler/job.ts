import type { AmcAccountConnection } from "../amc/types.ts";
import { decryptCredentials } from "../db/secrets.ts";

// What a week runner needs to know about its week, returned by the claim that leased it.

/** A claimed week with its collection, instance and account. */
export interface WeekJob {
  weekId: string;
  collectionId: string;
  attempt: number;
  /** "YYYY-MM-DD", inclusive. */
  startDate: string;
  /** "YYYY-MM-DD", inclusive. */
  endDate: string;
  isoWeek: string;
  timezone: string;
  sqlSnapshot: string;
  parametersSnapshot: unknown;
  parameterValues: unknown;
  amcInstanceId: string;
  account: AmcAccountConnection;
  /** Attempts the scheduler may make since the last manual retry, counting this one. */
  maxAttempts: number;
  /** Week.retriedAtAttempt: attempts made before the last manual retry. */
  retriedAtAttempt: number;
  /** True when a claim started this attempt, so it has no Execution row yet; false after a takeover. */
  fresh: boolean;
}

/** Decrypted account connections by account id; credentials rarely change while running. */
export class AccountCache {
  private readonly connections = new Map<string, AmcAccountConnection>();

  constructor(private readonly secretKey: Buffer) {}

  connection(account: {
    id: string;
    apiBaseUrl: string;
    tokenUrl: string;
    entityId: string;
    marketplaceId: string;
    credentials: string;
    updatedAt: Date;
  }): AmcAccountConnection {
    const key = `${account.id}:${account.updatedAt.getTime()}`;
    let connection = this.connections.get(key);
    if (!connection) {
      const credentials = decryptCredentials(this.secretKey, account.credentials);
      connection = {
        accountId: account.id,
        apiBaseUrl: account.apiBaseUrl,
        tokenUrl: account.tokenUrl,
        entityId: account.entityId,
        marketplaceId: account.marketplaceId,
        clientId: credentials.clientId,
        clientSecret: credentials.clientSecret,
        refreshToken: credentials.refreshToken,
      };
      this.connections.set(key, connection);
    }
    return connection;
  }
}

/** Columns of a claimed week with its collection, instance and account, as `weekJobColumns` selects them. */
export interface WeekJobRow {
  weekId: string;
  collectionId: string;
  attempts: number;
  retriedAtAttempt: number;
  status: string;
  leaseOwner: string | null;
  startDate: string;
  endDate: string;
  isoWeek: string;
  timezone: string;
  sqlSnapshot: string;
  parametersSnapshot: string;
  parameterValues: string;
  amcInstanceId: string;
  accountId: string;
  apiBaseUrl: string;
  tokenUrl: string;
  entityId: string;
  marketplaceId: string;
  credentials: string;
  /** Epoch milliseconds, which every driver returns alike. */
  accountUpdatedAt: number;
}

/**
 * Select list of a `WeekJobRow` over "Week" w, "Collection" c, "Instance" i and "Account" a. The
 * claim returns it with each claimed week, which saves a query per week.
 */
export const weekJobColumns = `w.id AS "weekId", w."collectionId", w.attempts,
  w."retriedAtAttempt", w.status::text AS status,
  w."leaseOwner", w."startDate"::text AS "startDate", w."endDate"::text AS "endDate",
  w."isoWeek", c.timezone, c."sqlSnapshot", c."parametersSnapshot"::text AS "parametersSnapshot",
  c."parameterValues"::text AS "parameterValues", i."amcInstanceId", a.id AS "accountId",
  a."apiBaseUrl", a."tokenUrl", a."entityId", a."marketplaceId", a.credentials,
  (extract(epoch FROM a."updatedAt") * 1000)::float8 AS "accountUpdatedAt"`;

/** Builds the job of a week that `owner` holds; returns undefined when it is not leased by `owner`. */
export function toWeekJob(
  row: WeekJobRow,
  accounts: AccountCache,
  owner: string,
  maxAttempts: number,
  fresh: boolean,
): WeekJob | undefined {
  if (row.status !== "RUNNING" || row.leaseOwner !== owner) return undefined;
  return {
    weekId: row.weekId,
    collectionId: row.collectionId,
    attempt: row.attempts,
    startDate: row.startDate,
    endDate: row.endDate,
    isoWeek: row.isoWeek,
    timezone: row.timezone,
    sqlSnapshot: row.sqlSnapshot,
    parametersSnapshot: JSON.parse(row.parametersSnapshot) as unknown,
    parameterValues: JSON.parse(row.parameterValues) as unknown,
    amcInstanceId: row.amcInstanceId,
    account: accounts.connection({
      id: row.accountId,
      apiBaseUrl: row.apiBaseUrl,
      tokenUrl: row.tokenUrl,
      entityId: row.entityId,
      marketplaceId: row.marketplaceId,
      credentials: row.credentials,
      updatedAt: new Date(row.accountUpdatedAt),
    }),
    maxAttempts,
    retriedAtAttempt: row.retriedAtAttempt,
    fresh,
  };
}
