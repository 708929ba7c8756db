import type { IncomingMessage } from "node:http";
import { isLoopbackHost } from "../auth/access-control.ts";

// A server bound to loopback must also reject requests whose Host header names another host.
// Otherwise a web page on a domain that resolves to 127.0.0.1 (DNS rebinding) could call the
// API from the user's browser as a same-origin page, and an open server would treat it as an
// admin. Servers bound to other addresses require tokens, which such a page does not have.

/** Returns the hostname of a Host header value, without port or IPv6 brackets. */
function hostnameOf(hostHeader: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(hostHeader);
  if (bracketed) return bracketed[1]!;
  return hostHeader.split(":")[0] ?? "";
}

/** Returns true when the request may be served by a server bound to `boundHost`. */
export function isAllowedHostHeader(req: IncomingMessage, boundHost: string): boolean {
  if (!isLoopbackHost(boundHost)) return true;
  const header = req.headers.host;
  return header !== undefined && isLoopbackHost(hostnameOf(header));
}
