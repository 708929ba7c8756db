// State of the subscription WebSocket, shared by the connection indicator and by every view
// that must catch up after a reconnect. React reads it through useSyncExternalStore.

/** Phase of the WebSocket to the API. */
export type ConnectionPhase = "connecting" | "connected" | "reconnecting";

/** Snapshot of the WebSocket state. */
export interface ConnectionState {
  phase: ConnectionPhase;
  /** Increases on every successful (re)connection; views refetch when it changes. */
  epoch: number;
  /** Failed attempts since the last successful connection. */
  retries: number;
  /** Time of the next attempt in ms since the epoch, while reconnecting. */
  nextRetryAtMs: number | null;
}

/** Observable holder of the connection state. */
export class ConnectionStore {
  private state: ConnectionState = {
    phase: "connecting",
    epoch: 0,
    retries: 0,
    nextRetryAtMs: null,
  };
  private readonly listeners = new Set<() => void>();

  getSnapshot = (): ConnectionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  markConnected(): void {
    this.update({
      phase: "connected",
      epoch: this.state.epoch + 1,
      retries: 0,
      nextRetryAtMs: null,
    });
  }

  markClosed(): void {
    if (this.state.phase === "connected") this.update({ ...this.state, phase: "reconnecting" });
  }

  markRetryScheduled(retries: number, delayMs: number): void {
    this.update({
      ...this.state,
      phase: "reconnecting",
      retries,
      nextRetryAtMs: Date.now() + delayMs,
    });
  }

  private update(next: ConnectionState): void {
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}
