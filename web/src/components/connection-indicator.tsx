"use client";

import { useEffect, useState } from "react";
import { useConnectionState } from "@/api/provider.tsx";

function useSecondsUntil(timeMs: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (timeMs === null) return;
    // This timer only counts down for the user and reads no data, so it is not a status poll.
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [timeMs]);
  if (timeMs === null) return null;
  return Math.max(0, Math.ceil((timeMs - now) / 1000));
}

/** Live-update state of the WebSocket, announced to screen readers when it changes. */
export function ConnectionIndicator() {
  const { phase, retries, nextRetryAtMs } = useConnectionState();
  const seconds = useSecondsUntil(phase === "reconnecting" ? nextRetryAtMs : null);
  let text = "Connecting…";
  if (phase === "connected") text = "Live";
  if (phase === "reconnecting") text = "Disconnected, reconnecting";
  // The countdown changes every second, so it stays out of the announced status text.
  const countdown =
    phase === "reconnecting" && seconds !== null && seconds > 0
      ? ` (next try in ${seconds} s, attempt ${retries})`
      : "";
  return (
    <p className={`connection connection-${phase}`} data-phase={phase}>
      <span className="connection-dot" aria-hidden="true" />
      <span role="status">{text}</span>
      <span aria-hidden="true">{countdown}</span>
    </p>
  );
}
