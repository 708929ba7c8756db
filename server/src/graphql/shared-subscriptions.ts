import type { ExecutionResult } from "graphql";

// Subscribers that send the same operation with the same variables and role get the same
// results, so they share one execution: each change event is executed and serialised once, and
// the same JSON goes to all of them. Without sharing, 1,000 browsers watching one collection
// cost 1,000 executions per change (bench/subscriptions.ts measured a median of about 200 ms at
// 1,000 subscribers). Results go to each subscriber's `send` directly rather than through an
// async iterator per subscriber, because a chain of promises per subscriber and result cost
// nearly as much CPU time as the socket write itself.

type Result = ExecutionResult;

/** The receiving end of one subscription, such as a graphql-ws subscription on a WebSocket. */
export interface Subscriber {
  /**
   * Sends one result, given as its JSON text: an object with `data`, `errors` or `extensions`.
   * It must not throw, because it runs inside the loop that feeds every subscriber.
   */
  send(resultJson: string): void;
}

interface SharedSource {
  streams: Set<SubscriberStream>;
  closed: boolean;
  close: () => void;
}

interface Entry {
  ready: Promise<SharedSource | Result>;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The iterator that `subscribe` returns. It yields nothing, because results go to the
 * subscriber's `send`, and it completes when the shared execution ends. It throws the error
 * that ended the execution, if any. Its `return()` unsubscribes.
 */
class SubscriberStream implements AsyncIterableIterator<never, undefined> {
  private readonly ended: Promise<IteratorResult<never, undefined>>;
  private settle!: (failure?: { error: unknown }) => void;

  constructor(
    readonly subscriber: Subscriber,
    private readonly leave: (stream: SubscriberStream) => void,
  ) {
    this.ended = new Promise((resolve, reject) => {
      this.settle = (failure) => (failure ? reject(failure.error) : resolve(DONE));
    });
    // A failure still rejects next(). This handler only keeps Node from reporting an unhandled
    // rejection when the failure comes before the first call of next().
    this.ended.catch(() => {});
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<never, undefined>> {
    return this.ended;
  }

  return(): Promise<IteratorResult<never, undefined>> {
    this.leave(this);
    this.settle();
    return Promise.resolve(DONE);
  }

  /** Ends the stream after the shared execution ended, with its error if it failed. */
  finish(failure?: { error: unknown }): void {
    this.settle(failure);
  }
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
   * Sends the results of `start()` to `subscriber`, sharing one running execution between the
   * callers that pass the same `key`. Returns an iterator that yields nothing and completes when
   * the execution ends, and whose `return()` unsubscribes. A result that is not a stream (an
   * error before the subscription started) is returned to its caller alone and never shared.
   */
  async subscribe(
    key: string,
    start: () => Promise<AsyncIterable<Result> | Result>,
    subscriber: Subscriber,
  ): Promise<AsyncIterableIterator<never, undefined> | Result> {
    let entry = this.entries.get(key);
    if (!entry) {
      const created: Entry = { ready: Promise.resolve() as never };
      created.ready = this.startSource(key, created, start);
      this.entries.set(key, created);
      entry = created;
    }
    const source = await entry.ready;
    if (!("streams" in source)) {
      this.forget(key, entry);
      return source;
    }
    // The last subscriber may have left while this one waited; start afresh then.
    if (source.closed) return this.subscribe(key, start, subscriber);
    return this.join(source, subscriber);
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
      streams: new Set(),
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
    let failure: { error: unknown } | undefined;
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        // GraphQLError's toJSON gives the same error JSON that graphql-ws would send.
        const resultJson = JSON.stringify(next.value);
        for (const stream of source.streams) stream.subscriber.send(resultJson);
      }
    } catch (error) {
      failure = { error };
    }
    source.close();
    const streams = [...source.streams];
    source.streams.clear();
    this.subscriberCount -= streams.length;
    for (const stream of streams) stream.finish(failure);
  }

  private join(source: SharedSource, subscriber: Subscriber): SubscriberStream {
    const stream = new SubscriberStream(subscriber, (leaving) => this.leave(source, leaving));
    source.streams.add(stream);
    this.subscriberCount += 1;
    return stream;
  }

  private leave(source: SharedSource, stream: SubscriberStream): void {
    if (!source.streams.delete(stream)) return;
    this.subscriberCount -= 1;
    if (source.streams.size === 0 && !source.closed) source.close();
  }
}
