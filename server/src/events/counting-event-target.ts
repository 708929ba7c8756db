import { setMaxListeners } from "node:events";

// An EventTarget that counts its listeners per event type. The change bus uses the counts to
// skip loading rows that no subscriber requested, and tests use them to check that closed
// subscriptions leave nothing behind.

/** EventTarget with listener counts per event type. */
export class CountingEventTarget extends EventTarget {
  private readonly counts = new Map<string, number>();

  constructor() {
    super();
    // Thousands of subscribers of one topic are expected, not a leak.
    setMaxListeners(0, this);
  }

  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    super.addEventListener(type, listener, options);
    if (listener) this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
  }

  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void {
    super.removeEventListener(type, listener, options);
    if (!listener) return;
    const remaining = (this.counts.get(type) ?? 0) - 1;
    if (remaining > 0) this.counts.set(type, remaining);
    else this.counts.delete(type);
  }

  /** Returns the listeners of one event type, such as "week:<collectionId>". */
  count(type: string): number {
    return this.counts.get(type) ?? 0;
  }

  /** Returns the listeners of every type. */
  total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  /** Returns the ids of the "<prefix>:<id>" event types that have listeners. */
  idsOf(prefix: string): string[] {
    const ids: string[] = [];
    for (const type of this.counts.keys()) {
      if (type.startsWith(`${prefix}:`)) ids.push(type.slice(prefix.length + 1));
    }
    return ids;
  }
}
