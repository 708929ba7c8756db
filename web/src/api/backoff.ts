/** Reconnect delay bounds for the subscription WebSocket. */
export const reconnectBaseDelayMs = 500;
export const reconnectMaxDelayMs = 10_000;

/**
 * Returns the delay before reconnect attempt `retries` (0-based): exponential from
 * `reconnectBaseDelayMs`, capped at `reconnectMaxDelayMs`, with up to 30% random jitter so
 * that many browsers do not reconnect in lockstep after a server restart.
 */
export function reconnectDelayMs(retries: number, random: () => number = Math.random): number {
  const exponentialMs = Math.min(reconnectMaxDelayMs, reconnectBaseDelayMs * 2 ** retries);
  return Math.round(exponentialMs * (1 - 0.3 * random()));
}
