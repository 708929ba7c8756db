// The API token of this browser. It is kept in local storage, sent as a Bearer token over HTTP
// and in the WebSocket's connection parameters, and never shown again once saved.

const tokenKey = "amc-collections.token";

/** Returns the saved token, or undefined when none is saved or outside the browser. */
export function readApiToken(): string | undefined {
  if (typeof window === "undefined") return undefined;
  return window.localStorage.getItem(tokenKey) ?? undefined;
}

/** Saves a token, or removes the saved one when `token` is empty. */
export function saveApiToken(token: string): void {
  const trimmed = token.trim();
  if (trimmed === "") window.localStorage.removeItem(tokenKey);
  else window.localStorage.setItem(tokenKey, trimmed);
}
