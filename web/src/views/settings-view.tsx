"use client";

import { useState, type FormEvent } from "react";
import { readApiToken, saveApiToken } from "@/api/token-storage.ts";

/**
 * Settings of this browser: the API token sent with every request. Saving reloads the page so
 * that the HTTP client and the WebSocket start again with the new token.
 */
export function SettingsView() {
  const [token, setToken] = useState("");
  const [hasToken] = useState(() => readApiToken() !== undefined);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    saveApiToken(token);
    window.location.reload();
  };
  const onForget = () => {
    saveApiToken("");
    window.location.reload();
  };

  return (
    <section>
      <div className="page-header">
        <h1>Settings</h1>
      </div>
      <form onSubmit={onSubmit} className="panel">
        <p>
          {hasToken
            ? "This browser sends a saved API token. Enter a new one to replace it."
            : "This browser sends no API token, which works only while the server runs open on a loopback address."}
        </p>
        <div className="field">
          <label htmlFor="api-token">API token</label>
          <input
            id="api-token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            aria-describedby="api-token-hint"
          />
          <span id="api-token-hint" className="field-hint">
            Create one with <code>pnpm amc token create --role operator --name me</code> or{" "}
            <code>pnpm --filter ./server token:create</code>. It is stored in this browser only.
          </span>
        </div>
        <div className="actions">
          <button type="submit" className="button" disabled={token.trim() === ""}>
            Save token
          </button>
          {hasToken ? (
            <button type="button" className="button secondary" onClick={onForget}>
              Forget token
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
