import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

// Prisma's CLI downloads a native schema engine at start-up unless this variable names an
// executable, and that download host is unreachable from this project's machines. `generate`
// never runs the engine, so a stub is enough; migrations run through the project's own
// commands (pnpm db:migrate), which use the wasm schema engine instead. Set
// PRISMA_USE_NATIVE_ENGINE=1 to let the stock CLI download and use the real engine.
if (!process.env.PRISMA_USE_NATIVE_ENGINE && !process.env.PRISMA_SCHEMA_ENGINE_BINARY) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = fileURLToPath(
    new URL("../prisma/schema-engine-stub.mjs", import.meta.url),
  );
}

export default defineConfig({
  schema: "../prisma/schema.prisma",
  migrations: {
    path: "../prisma/migrations",
  },
  datasource: {
    url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/unused",
  },
});
