// Per-instance figures for operators: how fast AMC responds and how often it throttles. The
// percentile comes from the most recent samples only, so it follows AMC's current behaviour.

const sampleWindow = 1024;

/** Figures of one AMC instance since the client started. */
export interface AmcInstanceStats {
  accountId: string;
  amcInstanceId: string;
  /** HTTP attempts that got a response or failed on the network. */
  requestCount: number;
  meanResponseMs: number;
  /** 95th percentile of the last 1024 response times. */
  p95ResponseMs: number;
  maxResponseMs: number;
  /** Responses with HTTP 429. */
  throttledCount: number;
  /** Responses with 5xx, timeouts and network errors. */
  transientErrorCount: number;
  /** Responses with other 4xx statuses (401 included). */
  permanentErrorCount: number;
}

type Outcome = "ok" | "throttled" | "transient" | "permanent";

class InstanceRecord {
  requestCount = 0;
  totalMs = 0;
  maxMs = 0;
  throttledCount = 0;
  transientErrorCount = 0;
  permanentErrorCount = 0;
  private readonly samples: number[] = [];
  private next = 0;

  record(durationMs: number, outcome: Outcome): void {
    this.requestCount += 1;
    this.totalMs += durationMs;
    this.maxMs = Math.max(this.maxMs, durationMs);
    if (this.samples.length < sampleWindow) this.samples.push(durationMs);
    else this.samples[this.next] = durationMs;
    this.next = (this.next + 1) % sampleWindow;
    if (outcome === "throttled") this.throttledCount += 1;
    if (outcome === "transient") this.transientErrorCount += 1;
    if (outcome === "permanent") this.permanentErrorCount += 1;
  }

  p95Ms(): number {
    if (this.samples.length === 0) return 0;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? 0;
  }
}

/** Collects response times and fault counts per account and AMC instance. */
export class AmcStats {
  private readonly records = new Map<
    string,
    { accountId: string; amcInstanceId: string; record: InstanceRecord }
  >();

  record(accountId: string, amcInstanceId: string, durationMs: number, outcome: Outcome): void {
    const key = `${accountId}\n${amcInstanceId}`;
    let entry = this.records.get(key);
    if (!entry) {
      entry = { accountId, amcInstanceId, record: new InstanceRecord() };
      this.records.set(key, entry);
    }
    entry.record.record(durationMs, outcome);
  }

  /** Returns a snapshot of every instance the client has called. */
  snapshot(): AmcInstanceStats[] {
    return [...this.records.values()].map(({ accountId, amcInstanceId, record }) => ({
      accountId,
      amcInstanceId,
      requestCount: record.requestCount,
      meanResponseMs: record.requestCount ? record.totalMs / record.requestCount : 0,
      p95ResponseMs: record.p95Ms(),
      maxResponseMs: record.maxMs,
      throttledCount: record.throttledCount,
      transientErrorCount: record.transientErrorCount,
      permanentErrorCount: record.permanentErrorCount,
    }));
  }
}
