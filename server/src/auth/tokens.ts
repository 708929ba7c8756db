import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Role } from "./roles.ts";

// API tokens are 32 random bytes, base64url-encoded behind an "amc_" marker that secret
// scanners can match. Only the SHA-256 hash is stored: the token has 256 bits of entropy, so a
// slow password hash would add nothing, and the hash doubles as the lookup key.

const TOKEN_MARKER = "amc_";

/** Characters of a token kept in clear, so users can tell tokens apart in listings. */
const PREFIX_LENGTH = TOKEN_MARKER.length + 6;

/** Returns a new random API token. */
export function generateToken(): string {
  return TOKEN_MARKER + randomBytes(32).toString("base64url");
}

/** Returns the hex SHA-256 hash under which a token is stored. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A stored token as listed to admins: everything but the hash. */
export interface ApiTokenInfo {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Stores a new token and returns it; the clear token exists only in this return value. */
export async function createApiToken(
  prisma: PrismaClient,
  options: { name: string; role: Role },
): Promise<{ token: string; info: ApiTokenInfo }> {
  const token = generateToken();
  const record = await prisma.apiToken.create({
    data: {
      name: options.name,
      role: options.role,
      tokenHash: hashToken(token),
      prefix: token.slice(0, PREFIX_LENGTH),
    },
  });
  const { tokenHash: _hash, ...info } = record;
  return { token, info };
}
