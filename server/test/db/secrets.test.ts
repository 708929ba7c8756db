import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Database } from "../../src/db/database.ts";
import {
  decryptCredentials,
  encryptCredentials,
  loadSecretKey,
  parseSecretKey,
  type AccountCredentials,
} from "../../src/db/secrets.ts";
import { backends, createTestDatabase } from "../support/database.ts";

const credentials: AccountCredentials = {
  clientId: "amzn1.application-oa2-client.abc",
  clientSecret: "very-secret-client-secret",
  refreshToken: "Atzr|refresh-token-value",
};

describe("credential encryption", () => {
  test("round trip returns the credentials", () => {
    const key = randomBytes(32);
    assert.deepEqual(decryptCredentials(key, encryptCredentials(key, credentials)), credentials);
  });

  test("ciphertext hides every secret", () => {
    const stored = encryptCredentials(randomBytes(32), credentials);
    for (const value of Object.values(credentials)) assert.ok(!stored.includes(value));
    assert.notEqual(stored, encryptCredentials(randomBytes(32), credentials));
  });

  test("wrong key is rejected", () => {
    const stored = encryptCredentials(randomBytes(32), credentials);
    assert.throws(
      () => decryptCredentials(randomBytes(32), stored),
      /not the key they were stored with/,
    );
  });

  test("tampered ciphertext is rejected", () => {
    const key = randomBytes(32);
    const parts = encryptCredentials(key, credentials).split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString("base64url");
    assert.throws(() => decryptCredentials(key, parts.join(".")), /Cannot decrypt/);
  });

  test("keys parse from hex and base64", () => {
    const key = randomBytes(32);
    assert.deepEqual(parseSecretKey(key.toString("hex")), key);
    assert.deepEqual(parseSecretKey(key.toString("base64")), key);
    assert.throws(() => parseSecretKey("abcd"), /expected 32 bytes .* got 3 bytes/);
  });
});

describe("key file in embedded mode", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "amc-key-"));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  test("first start creates a 0600 key file and reuses it", async () => {
    const config = { dataDir, database: { kind: "pglite" as const, dataDir } };
    const first = loadSecretKey(config);
    const file = path.join(dataDir, "secret.key");
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(loadSecretKey(config), first);
  });

  test("corrupt key file is reported", async () => {
    const file = path.join(dataDir, "secret.key");
    const original = await readFile(file, "utf8");
    await writeFile(file, "garbage");
    const config = { dataDir, database: { kind: "pglite" as const, dataDir } };
    assert.throws(() => loadSecretKey(config), /Key file .*secret\.key is invalid/);
    await writeFile(file, original);
  });

  test("SECRET_KEY takes precedence over the file", () => {
    const key = randomBytes(32);
    const config = {
      dataDir,
      secretKey: key.toString("hex"),
      database: { kind: "pglite" as const, dataDir },
    };
    assert.deepEqual(loadSecretKey(config), key);
  });
});

for (const backend of backends) {
  describe(`stored credentials on ${backend}`, () => {
    let db: Database;
    before(async () => {
      db = await createTestDatabase(backend);
    });
    after(async () => {
      await db?.close();
    });

    test("no secret is stored in plain text", async () => {
      const key = randomBytes(32);
      await db.prisma.account.create({
        data: {
          name: "encrypted",
          region: "EU",
          entityId: "ENTITY2",
          marketplaceId: "A1PA6795UKMFR9",
          apiBaseUrl: "http://127.0.0.1:1",
          tokenUrl: "http://127.0.0.1:1/auth/o2/token",
          credentials: encryptCredentials(key, credentials),
        },
      });
      const rows = await db.prisma.$queryRawUnsafe<{ row: string }[]>(
        `SELECT row_to_json(a)::text AS row FROM "Account" a`,
      );
      const dump = rows.map((r) => r.row).join("\n");
      assert.ok(!dump.includes(credentials.clientSecret), "client secret stored in plain text");
      assert.ok(!dump.includes(credentials.refreshToken), "refresh token stored in plain text");
      const account = await db.prisma.account.findUniqueOrThrow({ where: { name: "encrypted" } });
      assert.deepEqual(decryptCredentials(key, account.credentials), credentials);
    });
  });
}
