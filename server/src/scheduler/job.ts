import type { AmcAccountConnection } from "../amc/types.ts";
import { decryptCredentials } from "../db/secrets.ts";
import type { SqlExecutor } from "./sql.ts";

// What a week runner needs to know about its week, loaded once per claim.

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
  maxAttempts: number;
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

interface WeekJobRow {
  weekId: string;
  collectionId: string;
  attempts: number;
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
  accountUpdatedAt: Date;
}

/** Loads a claimed week; returns undefined when it is gone or no longer leased by `owner`. */
export async function loadWeekJob(
  prisma: SqlExecutor,
  accounts: AccountCache,
  weekId: string,
  owner: string,
  maxAttempts: number,
): Promise<WeekJob | undefined> {
  // One statement instead of Prisma's nested include, because every claimed week runs it.
  const rows = await prisma.$queryRawUnsafe<WeekJobRow[]>(
    `SELECT w.id AS "weekId", w."collectionId", w.attempts, w.status::text AS status,
       w."leaseOwner", w."startDate"::text AS "startDate", w."endDate"::text AS "endDate",
       w."isoWeek", c.timezone, c."sqlSnapshot", c."parametersSnapshot"::text AS "parametersSnapshot",
       c."parameterValues"::text AS "parameterValues", i."amcInstanceId", a.id AS "accountId",
       a."apiBaseUrl", a."tokenUrl", a."entityId", a."marketplaceId", a.credentials,
       a."updatedAt" AS "accountUpdatedAt"
     FROM "Week" w
     JOIN "Collection" c ON c.id = w."collectionId"
     JOIN "Instance" i ON i.id = c."instanceId"
     JOIN "Account" a ON a.id = i."accountId"
     WHERE w.id = $1::uuid`,
    weekId,
  );
  const row = rows[0];
  if (!row || row.status !== "RUNNING" || row.leaseOwner !== owner) return undefined;
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
  };
}
