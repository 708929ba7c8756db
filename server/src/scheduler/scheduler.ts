import { randomUUID } from "node:crypto";
import type { AmcClient } from "../amc/types.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import { retryDelayMs } from "./backoff.ts";
import { sweepCancelledExecutions } from "./cancel.ts";
import {
  claimWeeks,
  expireOtherLeases,
  releaseLeases,
  renewLeases,
  takeOverExpiredLeases,
  type ClaimedWeek,
} from "./claim.ts";
import type { RunnerContext, SchedulerSettings } from "./context.ts";
import type { SettleCollection } from "./finish.ts";
import { AccountCache, toWeekJob } from "./job.ts";
import { activeRunners, loopDurationSeconds, weeksClaimedTotal } from "./metrics.ts";
import { isRunnerStop, runWeek } from "./run-week.ts";
import { sweepUnsettledCollections } from "./settle.ts";
import { listenForWake, type WakeSource } from "./wake.ts";
import { sweepSavedWorkflows } from "./workflow-cleanup.ts";

// The scheduler loop of one process. It claims weeks whenever slots may have freed: a week
// finished here, a change event from any replica, or the tick. Each claimed week runs in its own
// runner. The loop renews its runners' leases at half the lease duration, takes over weeks whose
// lease expired, sweeps executions of cancelled weeks and settles collections left unsettled.

/** Dependencies and settings of a scheduler. */
export interface SchedulerOptions {
  database: Database;
  amc: AmcClient;
  logger: Logger;
  secretKey: Buffer;
  settings: SchedulerSettings;
  settleCollection: SettleCollection;
  /** Lease owner id; defaults to a new one per start, so a restarted process never reuses one. */
  owner?: string;
  /** Most weeks claimed per claim statement. */
  claimBatchSize?: number;
  /** How long `stop` waits for runners to reach a safe point before giving up on them. */
  stopTimeoutMs?: number;
  random?: () => number;
  /**
   * True when no other process can use the database: the embedded one, under its directory
   * lock. Weeks that an earlier process left RUNNING (it was killed) are then taken over at
   * start instead of after their leases expire.
   */
  soleProcess?: boolean;
}

/** A running scheduler. */
export interface Scheduler {
  readonly owner: string;
  /** Makes the loop claim now instead of at its next tick. */
  wake(): void;
  /** Returns true while the loop runs and its last claim did not fail. */
  isHealthy(): boolean;
  /** Weeks this process is running now. */
  runningWeekIds(): string[];
  /** Stops claiming, lets runners reach a safe point and releases their leases; idempotent. */
  stop(): Promise<void>;
}

interface Runner {
  controller: AbortController;
  done: Promise<void>;
}

/** Starts the scheduler loop. */
export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const owner = options.owner ?? `${process.pid}-${randomUUID()}`;
  const logger = options.logger.child({ component: "scheduler", owner });
  const { settings, database } = options;
  const context: RunnerContext = {
    database,
    amc: options.amc,
    logger,
    owner,
    settings,
    accounts: new AccountCache(options.secretKey),
    random: options.random ?? Math.random,
  };
  const batchSize = options.claimBatchSize ?? 100;
  const runners = new Map<string, Runner>();
  let stopping = false;
  let healthy = true;
  let wakeUp: (() => void) | undefined;
  let wakePending = true;

  const wake = () => {
    wakePending = true;
    wakeUp?.();
  };
  const waitForWake = (ms: number) =>
    new Promise<void>((resolve) => {
      if (wakePending || stopping) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  const startRunner = (claimed: ClaimedWeek, how: "claim" | "takeover") => {
    if (runners.has(claimed.weekId)) return;
    weeksClaimedTotal.inc({ how });
    const controller = new AbortController();
    const ids = {
      weekId: claimed.weekId,
      collectionId: claimed.collectionId,
      attempt: claimed.attempt,
    };
    logger.debug(ids, how === "claim" ? "week claimed" : "expired lease taken over");
    const done = (async () => {
      activeRunners.inc();
      try {
        const job = toWeekJob(
          claimed,
          context.accounts,
          owner,
          settings.maxAttempts,
          how === "claim",
        );
        if (job) await runWeek(context, job, options.settleCollection, controller.signal);
        failures.delete(claimed.weekId);
      } catch (error) {
        if (isRunnerStop(error, controller.signal)) {
          logger.info(
            { ...ids, reason: String(controller.signal.reason ?? error) },
            "week runner stopped",
          );
        } else {
          await deferAfterError(claimed, error);
        }
      } finally {
        activeRunners.dec();
        runners.delete(claimed.weekId);
        wake();
      }
    })();
    runners.set(claimed.weekId, { controller, done });
  };

  // An unexpected error (database down, result not storable) leaves the week RUNNING with a
  // lease that expires after a backoff, so this or another replica resumes it from its rows.
  const failures = new Map<string, number>();
  const deferAfterError = async (claimed: ClaimedWeek, error: unknown) => {
    const count = (failures.get(claimed.weekId) ?? 0) + 1;
    failures.set(claimed.weekId, count);
    const delayMs = retryDelayMs(
      count,
      settings.retryBaseDelayMs,
      settings.retryMaxDelayMs,
      context.random,
    );
    logger.error(
      { err: error, weekId: claimed.weekId, collectionId: claimed.collectionId, delayMs },
      `week runner failed; resuming in ${delayMs} ms`,
    );
    await database.prisma
      .$executeRawUnsafe(
        `UPDATE "Week" SET "leaseExpiresAt" = (now() AT TIME ZONE 'UTC') + make_interval(secs => $3::double precision / 1000)
         WHERE id = $1::uuid AND "leaseOwner" = $2 AND status = 'RUNNING'`,
        claimed.weekId,
        owner,
        delayMs / settings.timeScale,
      )
      .catch((updateError: unknown) =>
        logger.error({ err: updateError, weekId: claimed.weekId }, "deferring the week failed"),
      );
  };

  const limits = {
    maxActiveCollections: settings.maxActiveCollections,
    maxRunningWeeksPerCollection: settings.maxRunningWeeksPerCollection,
    maxRunningPerInstance: settings.maxRunningPerInstance,
  };
  const leaseMs = settings.leaseDurationMs / settings.timeScale;
  const tickMs = settings.tickIntervalMs / settings.timeScale;

  const claimOnce = async (): Promise<number> => {
    const claimed = await claimWeeks(database, owner, leaseMs, limits, batchSize);
    for (const week of claimed) startRunner(week, "claim");
    return claimed.length;
  };

  // Expired leases and leftovers are looked for once per tick, not after every claim: leases
  // last many ticks, and a claim runs each time a week finishes.
  const takeOverOnce = async (): Promise<number> => {
    const takenOver = await takeOverExpiredLeases(database, owner, leaseMs, batchSize);
    for (const week of takenOver) startRunner(week, "takeover");
    if (takenOver.length > 0) {
      logger.info(
        { weekIds: takenOver.map((week) => week.weekId) },
        `took over ${takenOver.length} weeks whose lease expired`,
      );
    }
    return takenOver.length;
  };

  // Deleting finished weeks' saved workflows waits on AMC, so it runs beside the loop instead of
  // holding up claims, one sweep at a time.
  let cleanup: Promise<void> | undefined;
  const cleanUpWorkflows = () => {
    cleanup ??= sweepSavedWorkflows(context)
      .then(
        () => undefined,
        (error: unknown) =>
          logger.warn({ err: error }, "saved workflow cleanup failed; retrying at the next tick"),
      )
      .finally(() => {
        cleanup = undefined;
      });
  };

  let lastSweepMs = 0;
  const loop = async () => {
    let failuresInRow = 0;
    while (!stopping) {
      wakePending = false;
      try {
        const endTimer = loopDurationSeconds.startTimer();
        let count = await claimOnce();
        if (Date.now() - lastSweepMs >= tickMs) {
          lastSweepMs = Date.now();
          count += await takeOverOnce();
          await sweepCancelledExecutions(context);
          await sweepUnsettledCollections(context, options.settleCollection);
          cleanUpWorkflows();
        }
        endTimer();
        failuresInRow = 0;
        healthy = true;
        if (count >= batchSize) continue;
        await waitForWake(tickMs);
      } catch (error) {
        failuresInRow++;
        healthy = false;
        const delayMs = Math.min(
          settings.retryMaxDelayMs,
          settings.tickIntervalMs * 2 ** Math.min(failuresInRow, 10),
        );
        logger.error({ err: error, delayMs }, `claim failed; next try in ${delayMs} ms`);
        // Waiting without honouring wake-ups keeps a failing database from being hammered.
        wakePending = false;
        await new Promise((resolve) => setTimeout(resolve, delayMs / settings.timeScale));
      }
    }
  };

  const renewTimer = setInterval(() => {
    const ids = [...runners.keys()];
    if (ids.length === 0) return;
    renewLeases(database.prisma, owner, leaseMs, ids).then(
      (held) => {
        for (const id of ids) {
          if (!held.has(id))
            runners.get(id)?.controller.abort(new Error(`lease of week ${id} lost`));
        }
      },
      (error: unknown) =>
        logger.warn({ err: error }, "lease renewal failed; retrying at the next interval"),
    );
  }, leaseMs / 2);
  renewTimer.unref();

  if (options.soleProcess) {
    const expired = await expireOtherLeases(database.prisma, owner);
    if (expired > 0) {
      logger.info(`expired the leases of ${expired} weeks that an earlier process left running`);
    }
  }
  let wakeSource: WakeSource | undefined = await listenForWake(database, logger, wake);
  const looping = loop();
  logger.info({ limits, leaseMs }, "scheduler started");

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      wakeUp?.();
      await looping;
      const timeoutMs = options.stopTimeoutMs ?? 10_000;
      // A delete cut short is safe: the next sweep finds the workflow gone and marks it.
      await finishesWithin(cleanup, timeoutMs);
      clearInterval(renewTimer);
      await wakeSource?.close();
      wakeSource = undefined;
      const inFlight = [...runners.entries()];
      for (const [, runner] of inFlight) runner.controller.abort(new Error("scheduler stopping"));
      const settled = await finishesWithin(
        Promise.all(inFlight.map(([, runner]) => runner.done)),
        timeoutMs,
      );
      // Runners that reached a safe point hand their weeks over at once. A runner still inside an
      // AMC call keeps its lease until it expires, so no replica resumes a week mid-create.
      const safe = inFlight.map(([id]) => id).filter((id) => !runners.has(id));
      await releaseLeases(database.prisma, owner, safe).catch((error: unknown) =>
        logger.warn({ err: error }, "releasing leases failed; they expire instead"),
      );
      logger.info(
        { released: safe.length, abandoned: settled ? 0 : runners.size },
        "scheduler stopped",
      );
    })();
    return stopped;
  };

  return {
    owner,
    wake,
    isHealthy: () => !stopping && healthy,
    runningWeekIds: () => [...runners.keys()],
    stop,
  };
}

/** Waits for `promise` at most `ms`; returns false when the time ran out first. */
async function finishesWithin(promise: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (!promise) return true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const finished = await Promise.race([promise.then(() => true), timedOut]);
  clearTimeout(timer);
  return finished;
}
