"use client";

import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { CreateInstanceMutation, InstancesQuery, UpdateInstanceMutation } from "@/api/documents.ts";
import type { Connection } from "@/api/types.ts";
import { describeError, type FieldErrors } from "@/api/user-errors.ts";
import { Field } from "@/components/field.tsx";
import { FormErrors } from "@/components/form-errors.tsx";
import { readSaveResult } from "@/components/save-result.ts";
import { TextField } from "@/components/text-field.tsx";

interface Instance {
  id: string;
  name: string;
  amcInstanceId: string;
  maxConcurrentExecutions: number;
  account: { id: string; name: string };
}

interface InstancesData {
  instances: Connection<Instance>;
  accounts: Connection<{ id: string; name: string }>;
}

const fields = ["name", "amcInstanceId", "accountId", "maxConcurrentExecutions"];

function InstanceForm(props: {
  instance: Instance | null;
  accounts: { id: string; name: string }[];
  onDone: () => void;
}) {
  const { instance } = props;
  const [form, setForm] = useState({
    name: instance?.name ?? "",
    amcInstanceId: instance?.amcInstanceId ?? "",
    accountId: instance?.account.id ?? props.accounts[0]?.id ?? "",
    maxConcurrentExecutions: String(instance?.maxConcurrentExecutions ?? 10),
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [createState, create] = useMutation(CreateInstanceMutation);
  const [updateState, update] = useMutation(UpdateInstanceMutation);
  const set = (key: keyof typeof form) => (value: string) =>
    setForm((old) => ({ ...old, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const limit = Number(form.maxConcurrentExecutions);
    const input = {
      name: form.name,
      amcInstanceId: form.amcInstanceId,
      maxConcurrentExecutions: Number.isInteger(limit) ? limit : null,
    };
    const result = instance
      ? await update({ id: instance.id, input })
      : await create({ input: { ...input, accountId: form.accountId } });
    const outcome = readSaveResult(result);
    setErrors(outcome.errors);
    if (outcome.ok) props.onDone();
  };

  return (
    <form
      className="panel"
      onSubmit={submit}
      noValidate
      aria-label={instance ? `Edit ${instance.name}` : "New instance"}
    >
      <h2>{instance ? `Edit ${instance.name}` : "New instance"}</h2>
      <FormErrors errors={errors} fields={fields} />
      <div className="form-grid">
        <TextField
          id="instance-name"
          name="name"
          label="Name"
          value={form.name}
          onChange={set("name")}
          errors={errors}
        />
        <TextField
          id="instance-amc-id"
          name="amcInstanceId"
          label="AMC instance id"
          hint="AMC's own id, used in API paths, e.g. amcibersblt."
          value={form.amcInstanceId}
          onChange={set("amcInstanceId")}
          errors={errors}
        />
        <Field
          id="instance-account"
          label="Account"
          errors={errors.accountId}
          hint={instance ? "An instance stays in its account." : undefined}
        >
          {({ id, describedBy, invalid }) => (
            <select
              id={id}
              value={form.accountId}
              disabled={instance !== null}
              onChange={(event) => set("accountId")(event.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
            >
              {props.accounts.map((account) => (
                <option key={account.id} value={account.id}>
                  {account.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <TextField
          id="instance-limit"
          name="maxConcurrentExecutions"
          type="number"
          label="Concurrent executions"
          hint="Executions kept running at once on this instance; AMC allows 10."
          value={form.maxConcurrentExecutions}
          onChange={set("maxConcurrentExecutions")}
          errors={errors}
        />
      </div>
      <div className="actions">
        <button type="submit" disabled={createState.fetching || updateState.fetching}>
          {instance ? "Save instance" : "Create instance"}
        </button>
        <button type="button" className="secondary" onClick={props.onDone}>
          Close
        </button>
      </div>
    </form>
  );
}

/** AMC instances: list, create and edit. */
export function InstancesView() {
  const [{ data, error }, reexecute] = useQuery<InstancesData>({ query: InstancesQuery });
  const [editing, setEditing] = useState<Instance | "new" | null>(null);
  const instances = data?.instances.edges.map((edge) => edge.node) ?? [];
  const accounts = data?.accounts.edges.map((edge) => edge.node) ?? [];
  const close = () => {
    setEditing(null);
    reexecute({ requestPolicy: "network-only" });
  };
  return (
    <>
      <div className="page-header">
        <h1>Instances</h1>
        <button type="button" onClick={() => setEditing("new")} disabled={accounts.length === 0}>
          New instance
        </button>
      </div>
      {error && <p className="notice notice-error">{describeError(error)}</p>}
      {editing && (
        <InstanceForm
          key={editing === "new" ? "new" : editing.id}
          instance={editing === "new" ? null : editing}
          accounts={accounts}
          onDone={close}
        />
      )}
      <div className="table-wrap">
        <table className="responsive">
          <caption className="visually-hidden">Instances</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">AMC instance id</th>
              <th scope="col">Account</th>
              <th scope="col" className="number">
                Concurrent executions
              </th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {instances.map((instance) => (
              <tr key={instance.id}>
                <td data-label="Name">{instance.name}</td>
                <td data-label="AMC instance id">{instance.amcInstanceId}</td>
                <td data-label="Account">{instance.account.name}</td>
                <td data-label="Concurrent executions" className="number">
                  {instance.maxConcurrentExecutions}
                </td>
                <td data-label="Actions">
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => setEditing(instance)}
                    aria-label={`Edit ${instance.name}`}
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
