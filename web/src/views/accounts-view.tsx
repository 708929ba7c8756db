"use client";

import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { AccountsQuery, CreateAccountMutation, UpdateAccountMutation } from "@/api/documents.ts";
import type { Connection } from "@/api/types.ts";
import { describeError, type FieldErrors } from "@/api/user-errors.ts";
import { Field } from "@/components/field.tsx";
import { FormErrors } from "@/components/form-errors.tsx";
import { readSaveResult } from "@/components/save-result.ts";
import { TextField } from "@/components/text-field.tsx";

interface Account {
  id: string;
  name: string;
  region: string;
  entityId: string;
  marketplaceId: string;
  apiBaseUrl: string;
  tokenUrl: string;
  isSandbox: boolean;
}

const regions = ["NA", "EU", "FE"];
const emptyForm = {
  name: "",
  region: "NA",
  entityId: "",
  marketplaceId: "",
  apiBaseUrl: "https://advertising-api.amazon.com",
  tokenUrl: "https://api.amazon.com/auth/o2/token",
  clientId: "",
  clientSecret: "",
  refreshToken: "",
};
const fields = Object.keys(emptyForm).flatMap((key) => [key, `credentials.${key}`]);

function AccountForm({ account, onDone }: { account: Account | null; onDone: () => void }) {
  const [form, setForm] = useState(() =>
    account
      ? { ...emptyForm, ...account, clientId: "", clientSecret: "", refreshToken: "" }
      : emptyForm,
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [createState, create] = useMutation(CreateAccountMutation);
  const [updateState, update] = useMutation(UpdateAccountMutation);
  const set = (key: keyof typeof emptyForm) => (value: string) =>
    setForm((old) => ({ ...old, [key]: value }));
  const credentialsGiven =
    form.clientId !== "" || form.clientSecret !== "" || form.refreshToken !== "";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { clientId, clientSecret, refreshToken, ...details } = form;
    const input = {
      name: details.name,
      region: details.region,
      entityId: details.entityId,
      marketplaceId: details.marketplaceId,
      apiBaseUrl: details.apiBaseUrl,
      tokenUrl: details.tokenUrl,
      // Credentials are write-only: an edit sends them only when the user typed new ones.
      ...(account === null || credentialsGiven
        ? { credentials: { clientId, clientSecret, refreshToken } }
        : {}),
    };
    const result = account ? await update({ id: account.id, input }) : await create({ input });
    const outcome = readSaveResult(result);
    setErrors(outcome.errors);
    if (outcome.ok) onDone();
  };

  const common = { errors };
  return (
    <form
      className="panel"
      onSubmit={submit}
      noValidate
      aria-label={account ? `Edit ${account.name}` : "New account"}
    >
      <h2>{account ? `Edit ${account.name}` : "New account"}</h2>
      <FormErrors errors={errors} fields={fields} />
      <div className="form-grid">
        <TextField
          id="account-name"
          name="name"
          label="Name"
          value={form.name}
          onChange={set("name")}
          {...common}
        />
        <Field id="account-region" label="Region" errors={errors.region}>
          {({ id, describedBy, invalid }) => (
            <select
              id={id}
              value={form.region}
              onChange={(event) => set("region")(event.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
            >
              {regions.map((region) => (
                <option key={region}>{region}</option>
              ))}
            </select>
          )}
        </Field>
        <TextField
          id="account-entity"
          name="entityId"
          label="Entity id (advertiser id)"
          value={form.entityId}
          onChange={set("entityId")}
          {...common}
        />
        <TextField
          id="account-marketplace"
          name="marketplaceId"
          label="Marketplace id"
          value={form.marketplaceId}
          onChange={set("marketplaceId")}
          {...common}
        />
        <TextField
          id="account-api"
          name="apiBaseUrl"
          type="url"
          label="API base URL"
          value={form.apiBaseUrl}
          onChange={set("apiBaseUrl")}
          {...common}
        />
        <TextField
          id="account-token-url"
          name="tokenUrl"
          type="url"
          label="Token URL"
          value={form.tokenUrl}
          onChange={set("tokenUrl")}
          {...common}
        />
      </div>
      <fieldset>
        <legend>Login with Amazon credentials (write-only)</legend>
        <p className="field-hint">
          {account
            ? "Stored credentials are never shown. Leave all three empty to keep them."
            : "Stored encrypted and never shown again."}
        </p>
        <div className="form-grid">
          <TextField
            id="account-client-id"
            name="clientId"
            label="Client id"
            value={form.clientId}
            onChange={set("clientId")}
            {...common}
          />
          <TextField
            id="account-client-secret"
            name="clientSecret"
            type="password"
            autoComplete="new-password"
            label="Client secret"
            value={form.clientSecret}
            onChange={set("clientSecret")}
            {...common}
          />
          <TextField
            id="account-refresh-token"
            name="refreshToken"
            type="password"
            autoComplete="new-password"
            label="Refresh token"
            value={form.refreshToken}
            onChange={set("refreshToken")}
            {...common}
          />
        </div>
      </fieldset>
      <div className="actions">
        <button type="submit" disabled={createState.fetching || updateState.fetching}>
          {account ? "Save account" : "Create account"}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Close
        </button>
      </div>
    </form>
  );
}

/** Advertiser accounts: list, create and edit. */
export function AccountsView() {
  const [{ data, error }, reexecute] = useQuery<{ accounts: Connection<Account> }>({
    query: AccountsQuery,
  });
  const [editing, setEditing] = useState<Account | "new" | null>(null);
  const accounts = data?.accounts.edges.map((edge) => edge.node) ?? [];
  const close = () => {
    setEditing(null);
    reexecute({ requestPolicy: "network-only" });
  };
  return (
    <>
      <div className="page-header">
        <h1>Accounts</h1>
        <button type="button" onClick={() => setEditing("new")}>
          New account
        </button>
      </div>
      {error && <p className="notice notice-error">{describeError(error)}</p>}
      {editing && (
        <AccountForm
          key={editing === "new" ? "new" : editing.id}
          account={editing === "new" ? null : editing}
          onDone={close}
        />
      )}
      <div className="table-wrap">
        <table className="responsive">
          <caption className="visually-hidden">Accounts</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Region</th>
              <th scope="col">Entity id</th>
              <th scope="col">Marketplace id</th>
              <th scope="col">API base URL</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((account) => (
              <tr key={account.id}>
                <td data-label="Name">
                  {account.name}
                  {account.isSandbox && <span className="muted"> (sandbox)</span>}
                </td>
                <td data-label="Region">{account.region}</td>
                <td data-label="Entity id">{account.entityId}</td>
                <td data-label="Marketplace id">{account.marketplaceId}</td>
                <td data-label="API base URL">{account.apiBaseUrl}</td>
                <td data-label="Actions">
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => setEditing(account)}
                    aria-label={`Edit ${account.name}`}
                  >
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
