import { Worker } from "node:worker_threads";
import type { Logger } from "../../logger.ts";
import type { EngineField, EngineReady, EngineRequest, EngineResponse } from "./engine-protocol.ts";

// The process-wide query engine: one worker thread with one PGlite (about 2 s to start and
// several hundred MB), shared by every sandbox of the process and closed with the last one.
// Queries run one at a time. A query that outlives its timeout terminates the worker, and the
// next query starts a fresh one.

/** Result of one query. */
export type EngineResult =
  | { ok: true; fields: EngineField[]; rows: unknown[][] }
  | { ok: false; message: string; sqlState?: string; timedOut?: boolean };

/** Window bounds passed to the dataset's views, as `yyyy-MM-dd HH:mm:ss` UTC. */
export interface EngineWindow {
  windowStart: string;
  windowEnd: string;
  retentionStart: string;
}

interface QueuedQuery {
  owner: object;
  request: Omit<EngineRequest, "id">;
  timeoutMs: number;
  resolve(result: EngineResult): void;
}

class QueryEngine {
  private worker: Worker | undefined;
  private ready: Promise<Worker> | undefined;
  private readonly queue: QueuedQuery[] = [];
  private busy = false;
  private nextId = 1;

  constructor(private readonly logger: Logger) {}

  run(owner: object, sql: string, window: EngineWindow, timeoutMs: number): Promise<EngineResult> {
    return new Promise((resolve) => {
      this.queue.push({ owner, request: { sql, ...window }, timeoutMs, resolve });
      void this.drain();
    });
  }

  /** Drops the queued queries of a stopped sandbox, so they do not delay the others. */
  dropQueued(owner: object): void {
    for (let index = this.queue.length - 1; index >= 0; index--) {
      const query = this.queue[index]!;
      if (query.owner !== owner) continue;
      this.queue.splice(index, 1);
      query.resolve({ ok: false, message: "The sandbox stopped before the query ran." });
    }
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (worker) await worker.terminate();
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    const next = this.queue.shift();
    if (!next) return;
    this.busy = true;
    try {
      next.resolve(await this.runOne(next));
    } finally {
      this.busy = false;
      void this.drain();
    }
  }

  private async runOne(query: QueuedQuery): Promise<EngineResult> {
    let worker: Worker;
    try {
      worker = await this.startWorker();
    } catch (error) {
      return { ok: false, message: `Query engine failed to start: ${(error as Error).message}` };
    }
    const id = this.nextId++;
    return new Promise<EngineResult>((resolve) => {
      const onMessage = (response: EngineResponse) => {
        if (response.id !== id) return;
        cleanup();
        resolve(
          response.ok
            ? { ok: true, fields: response.fields, rows: response.rows }
            : {
                ok: false,
                message: response.message,
                ...(response.sqlState ? { sqlState: response.sqlState } : {}),
              },
        );
      };
      const onExit = () => {
        cleanup();
        resolve({ ok: false, message: "Query engine stopped while running the query." });
      };
      const timer = setTimeout(() => {
        cleanup();
        this.logger.warn(
          { timeoutMs: query.timeoutMs },
          "sandbox query timed out; restarting the engine",
        );
        void this.close();
        resolve({
          ok: false,
          timedOut: true,
          message: `Query timed out after ${query.timeoutMs} ms.`,
        });
      }, query.timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("exit", onExit);
      };
      worker.on("message", onMessage);
      worker.on("exit", onExit);
      worker.postMessage({ id, ...query.request } satisfies EngineRequest);
    });
  }

  private startWorker(): Promise<Worker> {
    this.ready ??= new Promise<Worker>((resolve, reject) => {
      const startedMs = Date.now();
      const worker = new Worker(workerBootstrapUrl());
      worker.unref();
      worker.once("message", (message: EngineReady) => {
        if (message.ready) {
          this.logger.info({ durationMs: Date.now() - startedMs }, "sandbox query engine started");
          this.worker = worker;
          resolve(worker);
        } else {
          void worker.terminate();
          reject(new Error(message.message));
        }
      });
      worker.once("error", (error) => {
        this.ready = undefined;
        reject(error);
      });
    });
    const ready = this.ready;
    ready.catch(() => {
      if (this.ready === ready) this.ready = undefined;
    });
    return ready;
  }
}

/**
 * Returns a data: URL module that loads engine-worker.ts through tsx, because worker threads do
 * not inherit the tsx loader that the main thread runs under.
 */
function workerBootstrapUrl(): URL {
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const workerFile = new URL("./engine-worker.ts", import.meta.url).href;
  const code =
    `const { tsImport } = await import(${JSON.stringify(tsxApi)});\n` +
    `await tsImport(${JSON.stringify(workerFile)}, ${JSON.stringify(workerFile)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

let shared: { engine: QueryEngine; users: number } | undefined;

/** A handle on the shared engine. Release it when the sandbox stops. */
export interface EngineHandle {
  run(sql: string, window: EngineWindow, timeoutMs: number): Promise<EngineResult>;
  release(): Promise<void>;
}

/** Returns a handle on the process-wide engine, starting it on first use. */
export function acquireEngine(logger: Logger): EngineHandle {
  shared ??= { engine: new QueryEngine(logger), users: 0 };
  shared.users += 1;
  const owner = shared;
  const handleId = {};
  let released = false;
  return {
    run: (sql, window, timeoutMs) => owner.engine.run(handleId, sql, window, timeoutMs),
    release: async () => {
      if (released) return;
      released = true;
      owner.engine.dropQueued(handleId);
      owner.users -= 1;
      if (owner.users === 0) {
        if (shared === owner) shared = undefined;
        await owner.engine.close();
      }
    },
  };
}
