import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { Clock } from "./clock.ts";
import { faultKindOfStatus, parseErrorBody, redactSecrets } from "./faults.ts";
import {
  sendRequest,
  TransportError,
  type BufferedResponse,
  type HttpRequest,
} from "./transport.ts";
import { AmcApiError, type AmcAccountConnection } from "./types.ts";

// Login with Amazon access tokens, obtained with the refresh-token grant. Tokens are cached per
// account and credential set until shortly before they expire, and callers that need a token
// while a refresh is running wait for that refresh instead of starting another.

interface CachedToken {
  accessToken: string;
  expiresAtMs: number;
}

/** Settings of the token cache. */
export interface TokenCacheOptions {
  clock: Clock;
  logger: Logger;
  requestTimeoutMs: number;
  /** A token is refreshed this long before it expires. */
  refreshMarginMs: number;
  /** Called after each successful refresh, for metrics. */
  onRefresh?: () => void;
}

/** Cache of access tokens, keyed by account and a hash of its credentials. */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly refreshes = new Map<string, Promise<CachedToken>>();

  constructor(private readonly options: TokenCacheOptions) {}

  /** Returns a valid access token for the account, refreshing it when needed. */
  async accessToken(account: AmcAccountConnection): Promise<string> {
    const key = cacheKey(account);
    const cached = this.tokens.get(key);
    if (cached && this.options.clock.now() < cached.expiresAtMs - this.options.refreshMarginMs) {
      return cached.accessToken;
    }
    return (await this.refresh(account, key)).accessToken;
  }

  /** Drops the cached token if it is still `rejectedToken`, so the next call refreshes. */
  invalidate(account: AmcAccountConnection, rejectedToken: string): void {
    const key = cacheKey(account);
    if (this.tokens.get(key)?.accessToken === rejectedToken) this.tokens.delete(key);
  }

  private refresh(account: AmcAccountConnection, key: string): Promise<CachedToken> {
    const running = this.refreshes.get(key);
    if (running) return running;
    const refresh = this.requestToken(account)
      .then((token) => {
        this.tokens.set(key, token);
        return token;
      })
      .finally(() => this.refreshes.delete(key));
    this.refreshes.set(key, refresh);
    return refresh;
  }

  private async requestToken(account: AmcAccountConnection): Promise<CachedToken> {
    const startedMs = this.options.clock.now();
    const response = await this.postRefreshGrant(account);
    const secrets = [account.clientSecret, account.refreshToken];
    if (response.status < 200 || response.status >= 300) {
      throw tokenError(account, response.status, redactSecrets(response.text, secrets));
    }
    const { accessToken, lifetimeMs } = parseTokenResponse(account, response.text, secrets);
    this.options.logger.debug(
      { accountId: account.accountId, lifetimeMs },
      `Refreshed the AMC access token of account ${account.accountId}`,
    );
    this.options.onRefresh?.();
    // The lifetime counts from before the request, so network delay only shortens it.
    return { accessToken, expiresAtMs: startedMs + lifetimeMs };
  }

  private async postRefreshGrant(account: AmcAccountConnection): Promise<BufferedResponse> {
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: account.refreshToken,
      client_id: account.clientId,
      client_secret: account.clientSecret,
    });
    const init: HttpRequest = {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form.toString(),
    };
    try {
      return await sendRequest(account.tokenUrl, init, this.options.requestTimeoutMs);
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      throw new AmcApiError(
        `Login with Amazon token request for account ${account.accountId} failed: ` +
          `${error.message} Retry later.`,
        "transient",
        undefined,
        error.reason === "timeout" ? "RequestTimeout" : "NetworkError",
        undefined,
        undefined,
        { cause: error },
      );
    }
  }
}

/** Cache keys by connection object; the scheduler reuses one object per account version. */
const cacheKeys = new WeakMap<AmcAccountConnection, string>();

function cacheKey(account: AmcAccountConnection): string {
  let key = cacheKeys.get(account);
  if (key === undefined) {
    // Hashing the credentials makes a changed refresh token or client start a new cache entry
    // without keeping the secrets themselves as map keys.
    const hash = createHash("sha256")
      .update(
        [account.tokenUrl, account.clientId, account.clientSecret, account.refreshToken].join("\n"),
      )
      .digest("hex");
    key = `${account.accountId}:${hash}`;
    cacheKeys.set(account, key);
  }
  return key;
}

/** Parses Login with Amazon's `{access_token, expires_in}` response. */
function parseTokenResponse(
  account: AmcAccountConnection,
  text: string,
  secrets: string[],
): { accessToken: string; lifetimeMs: number } {
  let parsed: { access_token?: unknown; expires_in?: unknown } | undefined;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const accessToken = parsed?.access_token;
  const expiresInSeconds = Number(parsed?.expires_in ?? 3600);
  if (typeof accessToken !== "string" || accessToken === "" || !(expiresInSeconds > 0)) {
    const excerpt = redactSecrets(text, [...secrets, String(accessToken)]).slice(0, 200);
    throw new AmcApiError(
      `Login with Amazon returned no valid access_token and expires_in for account ` +
        `${account.accountId} (body starts: ${JSON.stringify(excerpt)}). ` +
        "Check the account's token URL.",
      "transient",
      undefined,
      "InvalidTokenResponse",
    );
  }
  return { accessToken, lifetimeMs: expiresInSeconds * 1000 };
}

function tokenError(
  account: AmcAccountConnection,
  status: number,
  redactedText: string,
): AmcApiError {
  const body = parseErrorBody(redactedText);
  // The token endpoint returns 400 or 401 for a revoked refresh token or a wrong client id or
  // secret. Retrying with the same credentials cannot succeed.
  const kind = status === 401 ? "permanent" : faultKindOfStatus(status);
  const reason = [body.code, body.details].filter(Boolean).join(": ") || "no error details";
  const advice =
    kind === "permanent"
      ? "Check the account's client id, client secret and refresh token."
      : "Retry later.";
  return new AmcApiError(
    `Login with Amazon rejected the token request of account ${account.accountId} with ` +
      `HTTP ${status} (${reason}). ${advice}`,
    kind,
    status,
    body.code,
    body.details,
  );
}
