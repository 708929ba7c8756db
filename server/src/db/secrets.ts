import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config.ts";
import { ensureWritableDataDir } from "./data-dir-lock.ts";

// Account credentials are stored as AES-256-GCM ciphertext: "v1.<iv>.<tag>.<ciphertext>", each
// part base64url. The key comes from SECRET_KEY, or in embedded mode from a key file that the
// first start creates in the data directory with mode 0600.

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT_VERSION = "v1";
/** Binds ciphertexts to their purpose, so a credential blob cannot be replayed as other data. */
const ASSOCIATED_DATA = Buffer.from("amc-collections/account-credentials/v1");

/** Login with Amazon credentials of an AMC account. */
export interface AccountCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/** Error raised when a key is missing or invalid, or a ciphertext fails to decrypt. */
export class SecretKeyError extends Error {
  override name = "SecretKeyError";
}

/** Parses a 32-byte key given as 64 hex digits or as base64. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, "hex")
    : Buffer.from(trimmed, "base64");
  if (key.length !== KEY_BYTES) {
    throw new SecretKeyError(
      `SECRET_KEY is invalid: expected 32 bytes as 64 hex digits or base64, got ${key.length} bytes. ` +
        "Generate one with: openssl rand -hex 32",
    );
  }
  return key;
}

/**
 * Returns the key for stored credentials: SECRET_KEY when set, otherwise the key file in the
 * data directory (created on first use) for the embedded database, or a random per-process key
 * for an in-memory database, whose data dies with the process anyway.
 */
export function loadSecretKey(config: Pick<Config, "secretKey" | "dataDir" | "database">): Buffer {
  if (config.secretKey) return parseSecretKey(config.secretKey);
  switch (config.database.kind) {
    case "pglite-memory":
      return randomBytes(KEY_BYTES);
    case "pglite":
      ensureWritableDataDir(config.dataDir);
      return readOrCreateKeyFile(path.join(config.dataDir, "secret.key"));
    case "postgres":
      throw new SecretKeyError(
        "SECRET_KEY is missing: a PostgreSQL deployment needs the same key on every replica. " +
          "Generate one with `openssl rand -hex 32` and set SECRET_KEY on each server process.",
      );
  }
}

function readOrCreateKeyFile(file: string): Buffer {
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(KEY_BYTES).toString("hex") + "\n", {
        mode: 0o600,
        flag: "wx",
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  chmodSync(file, 0o600);
  try {
    return parseSecretKey(readFileSync(file, "utf8"));
  } catch (error) {
    throw new SecretKeyError(
      `Key file ${file} is invalid: ${(error as Error).message} Restore the original file; ` +
        "credentials stored with it cannot be decrypted without it.",
    );
  }
}

/** Encrypts credentials for storage. */
export function encryptCredentials(key: Buffer, credentials: AccountCredentials): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(ASSOCIATED_DATA);
  const plaintext = Buffer.from(JSON.stringify(credentials), "utf8");
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64url"));
  return [FORMAT_VERSION, ...parts].join(".");
}

/** Decrypts stored credentials; throws SecretKeyError when the key does not match. */
export function decryptCredentials(key: Buffer, stored: string): AccountCredentials {
  const [version, iv, tag, ciphertext] = stored.split(".");
  if (version !== FORMAT_VERSION || !iv || !tag || ciphertext === undefined) {
    throw new SecretKeyError("Stored credentials have an unknown format.");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(ASSOCIATED_DATA);
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, "base64url")),
      decipher.final(),
    ]);
    return JSON.parse(plaintext.toString("utf8")) as AccountCredentials;
  } catch (error) {
    throw new SecretKeyError(
      "Cannot decrypt stored credentials: SECRET_KEY (or the data directory's key file) is not " +
        "the key they were stored with.",
      { cause: error },
    );
  }
}
