import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import path from "node:path";

// PGlite gives no error when two processes open the same data directory, and both then lose
// writes silently. The owner of a directory therefore holds a lock file created with O_EXCL
// that records its process id; a lock whose process is gone (after kill -9) is taken over.

/** Error raised when another live process owns the data directory. */
export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
}

/** Error raised when the data directory cannot be created or written. */
export class DataDirError extends Error {
  override name = "DataDirError";
}

/** Creates `dir` when missing and checks that this process can write it. */
export function ensureWritableDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new DataDirError(
      `Cannot write the data directory ${dir} (${(error as NodeJS.ErrnoException).code}): ` +
        "set DATA_DIR to a writable directory or fix its permissions.",
      { cause: error },
    );
  }
}

/** Lock on a data directory, released by `release` or when the process exits. */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwnerPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock on `dir` for this process; throws DataDirLockedError when it is held. */
export function lockDataDir(dir: string): DataDirLock {
  const file = path.join(dir, ".lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readOwnerPid(file);
      if (owner !== undefined && owner !== process.pid && isProcessAlive(owner)) {
        throw new DataDirLockedError(
          `Data directory ${dir} is in use by process ${owner}. Stop that process, or set ` +
            "DATA_DIR to another directory (or DATABASE_URL to a PostgreSQL server to run several processes).",
        );
      }
      // The previous owner died without releasing the lock: remove it and try once more.
      // NOTE: a recycled process id can make a stale lock look live; removing DATA_DIR/.lock
      // by hand fixes that rare case.
      rmSync(file, { force: true });
      continue;
    }
    writeSync(fd, String(process.pid));
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off("exit", release);
      if (readOwnerPid(file) === process.pid) rmSync(file, { force: true });
    };
    process.on("exit", release);
    return { file, release };
  }
  throw new DataDirLockedError(
    `Could not lock data directory ${dir}: another process took it at the same moment. Try again.`,
  );
}
