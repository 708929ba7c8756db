import type { ExecutionResult } from "graphql";
import { Repeater, SlidingBuffer } from "graphql-yoga";

// Subscribers that send the same operation with the same variables and role get the same
// results, so they share one execution: each change event is executed once and the result goes
// to all of them. Without this, 1,000 browsers watching one collection cost 1,000 executions per
// change (bench/subscriptions.ts measured a median of about 200 ms at 1,000 subscribers).

type Result = ExecutionResult;

/**
 * Results buffered per subscriber. The shared execution does not wait for slow subscribers;
 * one that falls this far behind loses its oldest results rather than holding up the others.
 */
const SUBSCRIBER_BUFFER_SIZE = 1000;

interface Listener {
  push: (result: Result) => Promise<unknown>;
  stop: (error?: unknown) => void;
}

interface SharedSource {
  listeners: Set<Listener>;
  closed: boolean;
  close: () => void;
}

interface Entry {
  ready: Promise<SharedSource | Result>;
}

/** Running subscription executions, keyed by operation, variables and role. */
export class SharedSubscriptions {
  private readonly entries = new Map<string, Entry>();
  private subscriberCount = 0;

  /** Number of subscribers, shared or not; returns to zero when they all leave. */
  get size(): number {
    return this.subscriberCount;
  }

  /** Number of running executions. */
  get executionCount(): number {
    return this.entries.size;
  }

  /**
   * Returns a stream of the results of `start()`, sharing one running execution between the
   * callers that pass the same `key`. A result that is not a stream (an error before the
   * subscription started) goes to its caller alone and is never shared.
   */
  async subscribe(
    key: string,
    start: () => Promise<AsyncIterable<Result> | Result>,
  ): Promise<AsyncIterable<Result> | Result> {
    let entry = this.entries.get(key);
    if (!entry) {
      const created: Entry = { ready: Promise.resolve() as never };
      created.ready = this.startSource(key, created, start);
      this.entries.set(key, created);
      entry = created;
    }
    const source = await entry.ready;
    if (!("listeners" in source)) {
      this.forget(key, entry);
      return source;
    }
    // The last subscriber may have left while this one waited; start afresh then.
    if (source.closed) return this.subscribe(key, start);
    return this.join(source);
  }

  private forget(key: string, entry: Entry): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }

  private async startSource(
    key: string,
    entry: Entry,
    start: () => Promise<AsyncIterable<Result> | Result>,
  ): Promise<SharedSource | Result> {
    const stream = await start();
    if (!(Symbol.asyncIterator in stream)) return stream;
    const iterator = stream[Symbol.asyncIterator]();
    const source: SharedSource = {
      listeners: new Set(),
      closed: false,
      close: () => {
        source.closed = true;
        this.forget(key, entry);
        void iterator.return?.();
      },
    };
    void this.pump(iterator, source);
    return source;
  }

  private async pump(iterator: AsyncIterator<Result>, source: SharedSource): Promise<void> {
    let failure: unknown;
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        for (const listener of source.listeners) void listener.push(next.value);
      }
    } catch (error) {
      failure = error;
    }
    source.close();
    for (const listener of source.listeners) listener.stop(failure);
  }

  private join(source: SharedSource): AsyncIterable<Result> {
    return new Repeater<Result>(async (push, stop) => {
      const listener: Listener = { push, stop };
      source.listeners.add(listener);
      this.subscriberCount += 1;
      await stop;
      this.subscriberCount -= 1;
      source.listeners.delete(listener);
      if (source.listeners.size === 0 && !source.closed) source.close();
    }, new SlidingBuffer(SUBSCRIBER_BUFFER_SIZE));
  }
}
