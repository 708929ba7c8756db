import path from "node:path";

// Every setting the server reads from the environment, with its default. `loadConfig` reports
// every invalid variable at once, so a bad deployment fails at start-up with one clear message.

const SECOND_MS = 1000;

/** The repository's data/ folder. */
const defaultDataDir = path.resolve(import.meta.dirname, "../../data");
const MINUTE_MS = 60 * SECOND_MS;

/** Database the server opens. */
export type DatabaseConfig =
  | { kind: "postgres"; url: string; poolSize: number; schema?: string }
  | { kind: "pglite"; dataDir: string }
  | { kind: "pglite-memory" };

/** Server settings, read once at start-up. */
export interface Config {
  host: string;
  port: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Directory of the embedded database, the key file and other local state. */
  dataDir: string;
  database: DatabaseConfig;
  /** Hex or base64 AES-256 key for stored credentials; embedded mode creates a key file. */
  secretKey?: string;
  /** Origins allowed to open WebSockets and send cross-site requests. */
  allowedOrigins: string[];
  /** Serves GraphiQL at GET /graphql; off by default because the page loads its code from unpkg.com. */
  graphiql: boolean;
  /** Tokens given in the environment, as `role:token` pairs. */
  bootstrapTokens: { role: "VIEWER" | "OPERATOR" | "ADMIN"; token: string }[];
  sandbox: {
    enabled: boolean;
    port: number;
    /** Wall-clock duration of one sandbox execution. */
    executionDurationMs: number;
  };
  scheduler: {
    enabled: boolean;
    maxActiveCollections: number;
    maxRunningWeeksPerCollection: number;
    /** Default per-instance limit; each instance row may set its own. */
    maxRunningPerInstance: number;
    maxAttempts: number;
    tickIntervalMs: number;
    leaseDurationMs: number;
    pollIntervalMinMs: number;
    pollIntervalMaxMs: number;
    retryBaseDelayMs: number;
    retryMaxDelayMs: number;
    /** Client-side limit on AMC API calls per account, in requests per second. */
    amcRequestsPerSecond: number;
    amcRequestTimeoutMs: number;
  };
  collections: {
    /** Most weeks one collection may have when it is created. */
    maxWeeks: number;
  };
  results: {
    /** Days after which raw result rows are deleted, keeping summaries; 0 keeps them. */
    rowsRetentionDays: number;
  };
  web: {
    port: number;
  };
}

/** Error listing every invalid environment variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

type Env = Record<string, string | undefined>;

class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value === "" ? fallback : value;
  }

  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === "" ? undefined : value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(
        `${name}="${raw}" is invalid: expected a whole number from ${min} to ${max}.`,
      );
      return fallback;
    }
    return value;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      this.problems.push(`${name}="${raw}" is invalid: expected a number from ${min} to ${max}.`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (["1", "true", "on", "yes"].includes(raw.toLowerCase())) return true;
    if (["0", "false", "off", "no"].includes(raw.toLowerCase())) return false;
    this.problems.push(`${name}="${raw}" is invalid: expected on or off (true or false).`);
    return fallback;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}="${raw}" is invalid: expected one of ${allowed.join(", ")}.`);
    return fallback;
  }
}

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const tokenRoles = ["VIEWER", "OPERATOR", "ADMIN"] as const;

function readDatabase(reader: EnvReader, dataDir: string): DatabaseConfig {
  const url = reader.optional("DATABASE_URL");
  const poolSize = reader.integer("DATABASE_POOL_SIZE", 10, 1, 1000);
  if (url === undefined) return { kind: "pglite", dataDir: path.join(dataDir, "pglite") };
  if (url === "memory:" || url === "memory://") return { kind: "pglite-memory" };
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch {
      reader.problems.push(
        "DATABASE_URL is not a valid URL: expected postgresql://USER@HOST:PORT/DATABASE.",
      );
    }
    const schema = reader.optional("DATABASE_SCHEMA");
    return { kind: "postgres", url, poolSize, ...(schema ? { schema } : {}) };
  }
  const scheme = url.split(":")[0];
  reader.problems.push(
    `DATABASE_URL has the unsupported scheme "${scheme}:": use postgresql://USER@HOST:PORT/DATABASE, ` +
      "memory: for an in-memory database, or leave it unset for the embedded database under DATA_DIR.",
  );
  return { kind: "pglite-memory" };
}

function readTokens(reader: EnvReader): Config["bootstrapTokens"] {
  const raw = reader.optional("API_TOKENS");
  if (raw === undefined) return [];
  const tokens: Config["bootstrapTokens"] = [];
  for (const entry of raw.split(",").map((part) => part.trim())) {
    const [role, token] = entry.split(":", 2);
    const upperRole = role?.toUpperCase() as (typeof tokenRoles)[number];
    if (!token || !tokenRoles.includes(upperRole) || token.length < 16) {
      reader.problems.push(
        "API_TOKENS has an invalid entry: expected comma-separated role:token pairs with role " +
          "viewer, operator or admin and a token of at least 16 characters.",
      );
      continue;
    }
    tokens.push({ role: upperRole, token });
  }
  return tokens;
}

/** Reads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  const reader = new EnvReader(env);
  // The default is the repository's data/ folder, whichever directory the server starts from
  // (pnpm runs package scripts from server/); a DATA_DIR given is relative to the current one.
  const dataDir = path.resolve(reader.string("DATA_DIR", defaultDataDir));
  const webPort = reader.integer("WEB_PORT", 3000, 1, 65535);
  const config: Config = {
    host: reader.string("HOST", "127.0.0.1"),
    port: reader.integer("PORT", 4000, 0, 65535),
    logLevel: reader.oneOf("LOG_LEVEL", "info", logLevels),
    dataDir,
    database: readDatabase(reader, dataDir),
    secretKey: reader.optional("SECRET_KEY"),
    graphiql: reader.boolean("GRAPHIQL", false),
    allowedOrigins: reader
      .string("ALLOWED_ORIGINS", `http://localhost:${webPort},http://127.0.0.1:${webPort}`)
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
    bootstrapTokens: readTokens(reader),
    sandbox: {
      enabled: reader.boolean("AMC_SANDBOX", true),
      port: reader.integer("AMC_SANDBOX_PORT", 4010, 0, 65535),
      executionDurationMs: reader.integer("AMC_SANDBOX_EXECUTION_MS", 3 * SECOND_MS, 0, 86_400_000),
    },
    scheduler: {
      enabled: reader.boolean("SCHEDULER", true),
      maxActiveCollections: reader.integer("MAX_ACTIVE_COLLECTIONS", 5, 1, 1000),
      maxRunningWeeksPerCollection: reader.integer("MAX_RUNNING_WEEKS_PER_COLLECTION", 10, 1, 1000),
      maxRunningPerInstance: reader.integer("MAX_RUNNING_PER_INSTANCE", 10, 1, 1000),
      maxAttempts: reader.integer("MAX_ATTEMPTS", 3, 1, 100),
      tickIntervalMs: reader.integer("SCHEDULER_TICK_MS", SECOND_MS, 10, MINUTE_MS),
      leaseDurationMs: reader.integer("LEASE_DURATION_MS", MINUTE_MS, 1000, 60 * MINUTE_MS),
      pollIntervalMinMs: reader.integer("POLL_INTERVAL_MIN_MS", 500, 10, 60 * MINUTE_MS),
      pollIntervalMaxMs: reader.integer("POLL_INTERVAL_MAX_MS", MINUTE_MS, 10, 60 * MINUTE_MS),
      retryBaseDelayMs: reader.integer("RETRY_BASE_DELAY_MS", 5 * SECOND_MS, 0, 60 * MINUTE_MS),
      retryMaxDelayMs: reader.integer("RETRY_MAX_DELAY_MS", 10 * MINUTE_MS, 0, 24 * 60 * MINUTE_MS),
      amcRequestsPerSecond: reader.number("AMC_REQUESTS_PER_SECOND", 20, 0.1, 10_000),
      amcRequestTimeoutMs: reader.integer(
        "AMC_REQUEST_TIMEOUT_MS",
        30 * SECOND_MS,
        100,
        10 * MINUTE_MS,
      ),
    },
    collections: {
      maxWeeks: reader.integer("MAX_WEEKS_PER_COLLECTION", 60, 1, 10_000),
    },
    results: {
      rowsRetentionDays: reader.integer("RESULT_ROWS_RETENTION_DAYS", 0, 0, 36_500),
    },
    web: { port: webPort },
  };
  if (config.scheduler.pollIntervalMinMs > config.scheduler.pollIntervalMaxMs) {
    reader.problems.push(
      `POLL_INTERVAL_MIN_MS (${config.scheduler.pollIntervalMinMs}) is greater than ` +
        `POLL_INTERVAL_MAX_MS (${config.scheduler.pollIntervalMaxMs}): lower the minimum or raise the maximum.`,
    );
  }
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}
