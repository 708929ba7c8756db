import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// Memory figures of a streaming ingest. Timers cannot sample reliably, because PGlite's
// queries resolve without returning to the timer phase, so the probe samples inside the
// CSV source, chunk by chunk. Two figures: the peak resident set growth, which includes
// garbage not yet collected, and the live heap growth after a forced full collection every
// `collectEveryChunks` chunks, which shows whether anything accumulates with the row count.

let gc: (() => void) | undefined;

/** Runs a full garbage collection; Node exposes `gc` to new contexts once the flag is set. */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}

/** Peak memory growth over a baseline taken at construction. */
export class MemoryProbe {
  private readonly baselineRss: number;
  private readonly baselineHeap: number;
  private chunks = 0;
  peakRssGrowthBytes = 0;
  peakLiveHeapGrowthBytes = 0;

  constructor(private readonly collectEveryChunks = 50) {
    collectGarbage();
    const usage = process.memoryUsage();
    this.baselineRss = usage.rss;
    this.baselineHeap = usage.heapUsed;
  }

  /** Records the current memory use. */
  sample(): void {
    this.chunks++;
    this.peakRssGrowthBytes = Math.max(
      this.peakRssGrowthBytes,
      process.memoryUsage.rss() - this.baselineRss,
    );
    if (this.chunks % this.collectEveryChunks !== 0) return;
    collectGarbage();
    const liveGrowth = process.memoryUsage().heapUsed - this.baselineHeap;
    this.peakLiveHeapGrowthBytes = Math.max(this.peakLiveHeapGrowthBytes, liveGrowth);
  }

  /** Wraps CSV parts so that every chunk read takes a sample. */
  watch(parts: AsyncIterable<Uint8Array>[]): AsyncIterable<Uint8Array>[] {
    return parts.map((part) => this.watchPart(part));
  }

  private async *watchPart(part: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of part) {
      this.sample();
      yield chunk;
    }
  }

  /** Returns the figures in MB, for printing. */
  describe(): string {
    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    return `peak RSS growth ${mb(this.peakRssGrowthBytes)} MB, peak live heap growth ${mb(this.peakLiveHeapGrowthBytes)} MB`;
  }
}
