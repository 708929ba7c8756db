import { timingSafeEqual } from "node:crypto";
import type { Config } from "../config.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";
import { hashToken } from "./tokens.ts";
import type { Role, Viewer } from "./roles.ts";

// Who may call the API. A request proves its role with an API token: a stored one (hashed in
// the ApiToken table) or one given in API_TOKENS. A server bound to a loopback address with
// no admin token anywhere runs open, and every local caller acts as an admin. Open mode ends
// when an admin token is stored, so that the person who closes it can still manage tokens. A
// server bound to any other address does not start without a token.

/** How long a token's lastUsedAt may lag behind, so that requests do not each write a row. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/** How long open mode reuses the result of its "is an admin token stored" check. */
const STORED_TOKENS_CHECK_INTERVAL_MS = 5_000;

/** Raised at start-up when the server would be reachable from other hosts without tokens. */
export class AccessConfigError extends Error {
  override name = "AccessConfigError";
}

/** Raised when a request carries a token that is unknown, revoked or malformed. */
export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/** Returns true for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** Extracts the token of an `Authorization: Bearer <token>` header value. */
export function parseBearer(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match)
    throw new InvalidTokenError(
      'The Authorization header is malformed: expected "Bearer <token>".',
    );
  return match[1];
}

/** Resolves the caller of each request from its token. */
export interface AccessControl {
  /** True when requests without a token act as admin (loopback, no token configured). */
  readonly open: boolean;
  /**
   * Returns the caller for a token, or for no token in open mode; returns null when a token is
   * required and missing. Throws InvalidTokenError for a token that is not valid.
   */
  authenticate(token: string | undefined): Promise<Viewer | null>;
}

/** Checks the access settings and returns the authenticator; throws AccessConfigError. */
export async function createAccessControl(
  config: Config,
  prisma: PrismaClient,
  logger: Logger,
): Promise<AccessControl> {
  const bootstrap = config.bootstrapTokens.map(({ role, token }) => ({
    role,
    hash: Buffer.from(hashToken(token), "hex"),
  }));
  const storedCount = await prisma.apiToken.count({ where: { revokedAt: null } });
  const countAdminTokens = () =>
    prisma.apiToken.count({ where: { revokedAt: null, role: "ADMIN" } });
  const storedAdminCount = await countAdminTokens();
  const loopback = isLoopbackHost(config.host);
  if (!loopback && bootstrap.length === 0 && storedCount === 0) {
    throw new AccessConfigError(
      `HOST=${config.host} makes the API reachable from other machines, but no API token is ` +
        "configured: set API_TOKENS=admin:<token> or create one with " +
        "`pnpm --filter ./server token:create --role admin --name NAME`, or bind to 127.0.0.1.",
    );
  }
  const open = loopback && bootstrap.length === 0;
  if (open && storedAdminCount === 0) {
    logger.warn(
      { host: config.host },
      "API access is open: no API token is configured and the server is bound to loopback, so every local caller acts as an admin",
    );
  } else {
    logger.info(
      { environmentTokens: bootstrap.length, storedTokens: storedCount },
      "API access requires a token",
    );
  }

  const lastUsedWrites = new Map<string, number>();
  let storedTokensCheck: { atMs: number; any: Promise<boolean> } | undefined;
  let openModeEnded = storedAdminCount > 0;

  const anyStoredAdminToken = (): Promise<boolean> => {
    const nowMs = Date.now();
    if (!storedTokensCheck || nowMs - storedTokensCheck.atMs > STORED_TOKENS_CHECK_INTERVAL_MS) {
      const any = countAdminTokens().then((count) => {
        if (count > 0 && !openModeEnded) {
          openModeEnded = true;
          logger.warn("API access now requires a token: an admin token was stored");
        }
        return count > 0;
      });
      storedTokensCheck = { atMs: nowMs, any };
    }
    return storedTokensCheck.any;
  };

  const recordUse = (id: string): void => {
    const nowMs = Date.now();
    if (nowMs - (lastUsedWrites.get(id) ?? 0) < LAST_USED_WRITE_INTERVAL_MS) return;
    lastUsedWrites.set(id, nowMs);
    prisma.apiToken
      .update({ where: { id }, data: { lastUsedAt: new Date(nowMs) } })
      .catch((error: unknown) =>
        logger.warn({ err: error, tokenId: id }, "failed to record API token use"),
      );
  };

  return {
    open,
    async authenticate(token) {
      if (token === undefined) {
        // Open mode ends as soon as someone stores an admin token, without a restart.
        if (open && !(await anyStoredAdminToken())) {
          return { role: "ADMIN", tokenId: null, source: "open local access" };
        }
        return null;
      }
      const hash = Buffer.from(hashToken(token), "hex");
      const fromEnvironment = bootstrap.find((entry) => timingSafeEqual(entry.hash, hash));
      if (fromEnvironment) {
        return { role: fromEnvironment.role as Role, tokenId: null, source: "API_TOKENS" };
      }
      const stored = await prisma.apiToken.findUnique({
        where: { tokenHash: hash.toString("hex") },
      });
      if (!stored || stored.revokedAt) {
        throw new InvalidTokenError(
          "The API token is invalid or revoked: check it, or create a new one with `pnpm --filter ./server token:create`.",
        );
      }
      recordUse(stored.id);
      return { role: stored.role, tokenId: stored.id, source: stored.name };
    },
  };
}
