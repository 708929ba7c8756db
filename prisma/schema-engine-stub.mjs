#!/usr/bin/env node
// Stand-in for Prisma's native schema engine, which cannot be downloaded on machines without
// access to Prisma's binary host. `prisma generate` only requests its version.
if (process.argv.includes("--version")) {
  console.log("schema-engine-cli 0.0.0 (amc-collections stub)");
  process.exit(0);
}
console.error(
  "The native Prisma schema engine is not installed. Run migrations with `pnpm db:migrate` " +
    "(apply) or `pnpm db:migration:create NAME` (create), which use the wasm engine, or set " +
    "PRISMA_USE_NATIVE_ENGINE=1 to let the Prisma CLI download its native engine.",
);
process.exit(1);
