// Migration commands that work without Prisma's native engines:
//   create NAME  writes the next migration from prisma/schema.prisma
//   apply        applies pending migrations to the configured database
//   check        exits 1 when schema.prisma and the migrations disagree
import { PGlite } from "@electric-sql/pglite";
import { loadConfig } from "../../config.ts";
import { openDatabase } from "../database.ts";
import { createPgliteMigrationAdapter } from "./adapters.ts";
import { createMigration, diffSchemaAgainstMigrations } from "./migrations.ts";

const usage = "Usage: migrate create NAME | migrate apply | migrate check";

/** Runs a schema diff on a throwaway in-memory database; the diff never touches real data. */
async function withScratchAdapter<T>(
  run: (adapter: ReturnType<typeof createPgliteMigrationAdapter>) => Promise<T>,
): Promise<T> {
  const scratch = await PGlite.create();
  try {
    return await run(createPgliteMigrationAdapter(scratch));
  } finally {
    await scratch.close();
  }
}

async function main(args: string[]): Promise<number> {
  const [command, name] = args;
  switch (command) {
    case "create": {
      if (!name) {
        console.error(`Missing migration name. ${usage}`);
        return 2;
      }
      const folder = await withScratchAdapter((adapter) => createMigration(adapter, name));
      console.log(folder ? `Created ${folder}` : "The schema has no changes to migrate.");
      return 0;
    }
    case "check": {
      const sql = await withScratchAdapter((adapter) => diffSchemaAgainstMigrations(adapter));
      if (sql === "") {
        console.log("prisma/schema.prisma and prisma/migrations agree.");
        return 0;
      }
      console.error(
        "prisma/schema.prisma has changes that no migration contains. Run " +
          "`pnpm db:migration:create NAME` and commit the result. Missing SQL:\n" +
          sql,
      );
      return 1;
    }
    case "apply": {
      const db = await openDatabase(loadConfig().database);
      try {
        const applied = await db.migrate();
        console.log(
          applied.length > 0
            ? `Applied ${applied.length} migration(s) to ${db.description}: ${applied.join(", ")}`
            : `${db.description} is up to date.`,
        );
      } finally {
        await db.close();
      }
      return 0;
    }
    default:
      console.error(usage);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
