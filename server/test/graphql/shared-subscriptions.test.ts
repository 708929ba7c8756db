import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GraphQLError, type ExecutionResult } from "graphql";
import { Repeater } from "graphql-yoga";
import { SharedSubscriptions, type Subscriber } from "../../src/graphql/shared-subscriptions.ts";

// Sharing one execution between subscribers: every subscriber receives each result as JSON,
// the execution ends when the last subscriber leaves, and a failed execution ends every
// subscriber's stream with its error.

/** Creates a subscription source that the test feeds by hand. */
function createSource() {
  let push!: (result: ExecutionResult) => Promise<unknown>;
  let fail!: (error: unknown) => void;
  const source = {
    starts: 0,
    returned: false,
    push: (result: ExecutionResult) => push(result),
    fail: (error: unknown) => fail(error),
    start: async (): Promise<AsyncIterable<ExecutionResult>> => {
      source.starts += 1;
      return new Repeater<ExecutionResult>(async (repeaterPush, stop) => {
        push = repeaterPush;
        fail = (error) => stop(error);
        await stop;
        source.returned = true;
      });
    },
  };
  return source;
}

/** Creates a subscriber that collects what it is sent. */
function createSubscriber(): Subscriber & { received: string[] } {
  const received: string[] = [];
  return { received, send: (resultJson) => received.push(resultJson) };
}

/** Waits until pending promise callbacks and I/O callbacks have run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("shared subscriptions", () => {
  test("one execution feeds every subscriber", async () => {
    const shared = new SharedSubscriptions();
    const source = createSource();
    const first = createSubscriber();
    const second = createSubscriber();
    await shared.subscribe("key", source.start, first);
    await shared.subscribe("key", source.start, second);
    assert.equal(source.starts, 1);
    assert.equal(shared.executionCount, 1);
    assert.equal(shared.size, 2);

    await source.push({ data: { value: 1 } });
    await source.push({ data: { value: 2 } });
    await settle();
    assert.deepEqual(first.received, ['{"data":{"value":1}}', '{"data":{"value":2}}']);
    assert.deepEqual(second.received, first.received);
  });

  test("errors serialise as graphql-ws sends them", async () => {
    const shared = new SharedSubscriptions();
    const source = createSource();
    const subscriber = createSubscriber();
    await shared.subscribe("key", source.start, subscriber);
    const error = new GraphQLError("Week not found", {
      path: ["weekUpdated", "week"],
      extensions: { code: "NOT_FOUND" },
    });
    await source.push({ data: { weekUpdated: null }, errors: [error] });
    await settle();
    assert.equal(subscriber.received.length, 1);
    const payload = JSON.parse(subscriber.received[0]!);
    assert.deepEqual(payload.data, { weekUpdated: null });
    assert.deepEqual(payload.errors, [error.toJSON()]);
    assert.equal(payload.errors[0].extensions.code, "NOT_FOUND");
  });

  test("last return ends the execution", async () => {
    const shared = new SharedSubscriptions();
    const source = createSource();
    const first = createSubscriber();
    const second = createSubscriber();
    const firstStream = await shared.subscribe("key", source.start, first);
    const secondStream = await shared.subscribe("key", source.start, second);
    assert.ok(Symbol.asyncIterator in firstStream);
    assert.ok(Symbol.asyncIterator in secondStream);

    const firstNext = firstStream.next();
    assert.deepEqual(await firstStream.return!(), { done: true, value: undefined });
    assert.deepEqual(await firstNext, { done: true, value: undefined });
    assert.equal(shared.size, 1);
    await source.push({ data: { value: 1 } });
    await settle();
    assert.deepEqual(first.received, []);
    assert.equal(second.received.length, 1);
    assert.equal(source.returned, false);

    await secondStream.return!();
    await settle();
    assert.equal(source.returned, true);
    assert.equal(shared.size, 0);
    assert.equal(shared.executionCount, 0);

    await shared.subscribe("key", source.start, createSubscriber());
    assert.equal(source.starts, 2);
  });

  test("failed execution ends every stream", async () => {
    const shared = new SharedSubscriptions();
    const source = createSource();
    const streams = [
      await shared.subscribe("key", source.start, createSubscriber()),
      await shared.subscribe("key", source.start, createSubscriber()),
    ];
    const failure = new Error("listener connection lost");
    source.fail(failure);
    for (const stream of streams) {
      assert.ok(Symbol.asyncIterator in stream);
      await assert.rejects(stream.next(), failure);
    }
    assert.equal(shared.size, 0);
    assert.equal(shared.executionCount, 0);
  });

  test("result that is no stream is not shared", async () => {
    const shared = new SharedSubscriptions();
    const rejection: ExecutionResult = { errors: [new GraphQLError("Collection not found")] };
    let starts = 0;
    const start = async () => {
      starts += 1;
      return rejection;
    };
    assert.equal(await shared.subscribe("key", start, createSubscriber()), rejection);
    assert.equal(await shared.subscribe("key", start, createSubscriber()), rejection);
    assert.equal(starts, 2);
    assert.equal(shared.size, 0);
    assert.equal(shared.executionCount, 0);
  });
});
