import type { Duplex } from "node:stream";
import WebSocket from "ws";
import type { Subscriber } from "./shared-subscriptions.ts";

// Writes the results of shared subscriptions to their WebSockets as graphql-ws `next` messages,
// the same text that graphql-ws's own `emit.next` sends. Going around graphql-ws for results
// saves, per subscriber and result, an iterator step, a copy and serialisation of the result,
// and awaiting the write. graphql-ws still handles everything else about a subscription:
// starting it, `error` and `complete` messages, and ending it when the client completes it or
// disconnects.

/**
 * Results kept for a client that reads slower than results arrive. The shared execution does
 * not wait for slow clients, so one that falls this far behind loses its oldest results rather
 * than holding up the others.
 */
const MAX_BACKLOG = 1000;

/**
 * The sending side of one WebSocket connection, shared by the subscriptions on it. Results wait
 * in their subscriber's backlog while the connection's TCP socket has a full write buffer, and
 * go out on its `drain` event.
 */
export class SubscriberConnection {
  private readonly waiting = new Set<SocketSubscriber>();

  /** `transport` is the TCP socket under `socket`, such as the upgrade request's socket. */
  constructor(
    readonly socket: WebSocket,
    private readonly transport: Duplex,
  ) {
    transport.on("drain", () => this.sendWaiting());
  }

  /**
   * Returns false while the write buffer is full, until `drain`. Any write over the high-water
   * mark fills it, by graphql-ws or by a subscriber of this connection.
   */
  hasRoom(): boolean {
    return !this.transport.writableNeedDrain;
  }

  /** Queues `subscriber` to send its backlog on the next `drain`. */
  wait(subscriber: SocketSubscriber): void {
    this.waiting.add(subscriber);
  }

  /** Sends the waiting backlogs in turn. One left unfinished goes last for the next `drain`. */
  private sendWaiting(): void {
    for (const subscriber of this.waiting) {
      this.waiting.delete(subscriber);
      subscriber.sendBacklog();
      if (subscriber.backlogLength > 0) {
        this.waiting.add(subscriber);
        return;
      }
    }
  }
}

/** One graphql-ws subscription on a WebSocket, as a receiver of shared results. */
export class SocketSubscriber implements Subscriber {
  private readonly messagePrefix: string;
  private backlog: string[] = [];

  /**
   * `isActive` returns false once graphql-ws considers the subscription finished. Nothing is
   * sent after that, as graphql-ws itself would send nothing.
   */
  constructor(
    private readonly connection: SubscriberConnection,
    id: string,
    private readonly isActive: () => boolean,
  ) {
    this.messagePrefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  }

  /** Number of results waiting for room in the connection's write buffer. */
  get backlogLength(): number {
    return this.backlog.length;
  }

  send(resultJson: string): void {
    if (!this.canSend()) return;
    const message = this.messagePrefix + resultJson + "}";
    if (this.backlog.length === 0 && this.connection.hasRoom()) {
      this.connection.socket.send(message);
      return;
    }
    if (this.backlog.length >= MAX_BACKLOG) this.backlog.shift();
    this.backlog.push(message);
    this.connection.wait(this);
  }

  /** Sends backlog messages, oldest first, while the connection has room. */
  sendBacklog(): void {
    if (!this.canSend()) return;
    while (this.backlog.length > 0 && this.connection.hasRoom()) {
      this.connection.socket.send(this.backlog.shift()!);
    }
  }

  /** Returns whether the subscription still takes results, and drops the backlog if not. */
  private canSend(): boolean {
    if (this.isActive() && this.connection.socket.readyState === WebSocket.OPEN) return true;
    this.backlog = [];
    return false;
  }
}
