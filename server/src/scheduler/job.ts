import type { AmcAccountConnection } from "../amc/types.ts";
import { decryptCredentials } from "../db/secrets.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";

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

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Loads a claimed week; returns undefined when it is gone or no longer leased by `owner`. */
export async function loadWeekJob(
  prisma: PrismaClient,
  accounts: AccountCache,
  weekId: string,
  owner: string,
  maxAttempts: number,
): Promise<WeekJob | undefined> {
  const week = await prisma.week.findUnique({
    where: { id: weekId },
    include: { collection: { include: { instance: { include: { account: true } } } } },
  });
  if (!week || week.status !== "RUNNING" || week.leaseOwner !== owner) return undefined;
  const { collection } = week;
  return {
    weekId: week.id,
    collectionId: collection.id,
    attempt: week.attempts,
    startDate: day(week.startDate),
    endDate: day(week.endDate),
    isoWeek: week.isoWeek,
    timezone: collection.timezone,
    sqlSnapshot: collection.sqlSnapshot,
    parametersSnapshot: collection.parametersSnapshot,
    parameterValues: collection.parameterValues,
    amcInstanceId: collection.instance.amcInstanceId,
    account: accounts.connection(collection.instance.account),
    maxAttempts,
  };
}
