import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { AmcHttpError, headerValue, readBodyText } from "./http.ts";

// The sandbox's Login with Amazon token endpoint and the bearer check of every AMC call.
// Tokens live in memory. An expired or unknown token gets 401 like AMC.

/** Credentials the token endpoint requires when the sandbox was started with fixed ones. */
export interface FixedCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

interface IssuedToken {
  clientId: string;
  expiresAtMs: number;
}

/** Issues and verifies access tokens. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  issuedCount = 0;

  constructor(
    private readonly clock: () => number,
    private readonly fixed: FixedCredentials | undefined,
    public expiresInSeconds: number,
  ) {}

  /** Handles POST /auth/o2/token with a form body. Returns the JSON to send. */
  async issue(req: IncomingMessage): Promise<Record<string, unknown>> {
    const form = new URLSearchParams(await readBodyText(req));
    if (form.get("grant_type") !== "refresh_token") {
      throw new TokenError(400, "unsupported_grant_type", "grant_type must be refresh_token.");
    }
    const clientId = form.get("client_id") ?? "";
    const clientSecret = form.get("client_secret") ?? "";
    const refreshToken = form.get("refresh_token") ?? "";
    if (!clientId || !clientSecret || !refreshToken) {
      throw new TokenError(
        400,
        "invalid_request",
        "client_id, client_secret and refresh_token are required.",
      );
    }
    if (this.fixed && !this.matchesFixed(clientId, clientSecret, refreshToken)) {
      throw new TokenError(401, "invalid_client", "Client authentication failed.");
    }
    this.pruneExpired();
    const accessToken = `Atza|sandbox-${randomBytes(24).toString("base64url")}`;
    this.tokens.set(accessToken, {
      clientId,
      expiresAtMs: this.clock() + this.expiresInSeconds * 1000,
    });
    this.issuedCount += 1;
    return {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: this.expiresInSeconds,
      refresh_token: refreshToken,
    };
  }

  /** Checks the Authorization header of an AMC call. Throws 401 when it is missing or expired. */
  verify(req: IncomingMessage): void {
    const authorization = headerValue(req, "authorization");
    const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
    if (!match) {
      throw new AmcHttpError(401, "Missing bearer token: send Authorization: Bearer <token>.");
    }
    const token = this.tokens.get(match[1]!);
    if (!token) throw new AmcHttpError(401, "Access token is invalid: request a new one.");
    if (this.clock() >= token.expiresAtMs) {
      throw new AmcHttpError(401, "Access token has expired: request a new one.");
    }
  }

  private matchesFixed(clientId: string, clientSecret: string, refreshToken: string): boolean {
    const fixed = this.fixed!;
    return (
      safeEqual(clientId, fixed.clientId) &&
      safeEqual(clientSecret, fixed.clientSecret) &&
      safeEqual(refreshToken, fixed.refreshToken)
    );
  }

  private pruneExpired(): void {
    const now = this.clock();
    for (const [token, issued] of this.tokens) {
      if (now >= issued.expiresAtMs) this.tokens.delete(token);
    }
  }
}

/** OAuth error of the token endpoint, returned as `{error, error_description}`. */
export class TokenError extends Error {
  override name = "TokenError";
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
