"use client";

import { useRouter } from "next/navigation";
import { useMemo, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { CreateCollectionMutation, FormOptionsQuery } from "@/api/documents.ts";
import type { CollectionSummary, Connection, UserError, WorkflowParameter } from "@/api/types.ts";
import { describeError, groupUserErrors, type FieldErrors } from "@/api/user-errors.ts";
import { Field } from "@/components/field.tsx";
import { ParameterInput } from "@/components/parameter-input.tsx";
import { WeekPreview } from "@/components/week-preview.tsx";
import { lastCompleteWeeks } from "@/lib/dates.ts";
import { initialText, toParameterValue } from "@/lib/parameters.ts";

interface FormOptions {
  workflows: Connection<{
    id: string;
    name: string;
    version: number;
    parameters: WorkflowParameter[];
  }>;
  instances: Connection<{ id: string; name: string; amcInstanceId: string }>;
}

interface CreatePayload {
  createCollection: { collection: CollectionSummary | null; userErrors: UserError[] };
}

const defaultWeeks = 52;

function timezones(): string[] {
  const supported =
    typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...supported.filter((zone) => zone !== "UTC")];
}

/** Form that creates a collection, with a live week preview and the server's field errors. */
export function NewCollectionView() {
  const router = useRouter();
  const [{ data: options, error: optionsError }] = useQuery<FormOptions>({
    query: FormOptionsQuery,
  });
  const [createState, create] = useMutation<CreatePayload>(CreateCollectionMutation);
  const defaults = useMemo(() => lastCompleteWeeks(defaultWeeks), []);
  const zones = useMemo(timezones, []);

  const [name, setName] = useState("");
  const [workflowId, setWorkflowId] = useState("");
  const [instanceId, setInstanceId] = useState("");
  const [startDate, setStartDate] = useState(defaults.startDate);
  const [endDate, setEndDate] = useState(defaults.endDate);
  const [timezone, setTimezone] = useState("UTC");
  const [parameterTexts, setParameterTexts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<FieldErrors>({});

  const workflows = options?.workflows.edges.map((edge) => edge.node) ?? [];
  const instances = options?.instances.edges.map((edge) => edge.node) ?? [];
  const workflow = workflows.find((candidate) => candidate.id === workflowId);
  const parameters = workflow?.parameters ?? [];
  const textOf = (parameter: WorkflowParameter) =>
    parameterTexts[parameter.name] ?? initialText(parameter);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setErrors({});
    const parameterValues = Object.fromEntries(
      parameters.map((parameter) => [
        parameter.name,
        toParameterValue(parameter, textOf(parameter)),
      ]),
    );
    const result = await create({
      input: {
        name,
        workflowId,
        instanceId,
        startDate,
        endDate,
        timezone,
        parameters: parameterValues,
      },
    });
    const payload = result.data?.createCollection;
    if (payload && payload.userErrors.length > 0) {
      setErrors(groupUserErrors(payload.userErrors));
      return;
    }
    const requestError = describeError(result.error);
    if (requestError || !payload?.collection) {
      setErrors({ "": [requestError ?? "The server returned no collection."] });
      return;
    }
    router.push(`/collections/${encodeURIComponent(payload.collection.id)}`);
  };

  const formErrors = errors[""];
  const knownFields = new Set([
    "",
    "name",
    "workflowId",
    "instanceId",
    "startDate",
    "endDate",
    "timezone",
  ]);
  const otherErrors = Object.entries(errors).filter(
    ([field]) =>
      !knownFields.has(field) &&
      !parameters.some((parameter) => `parameters.${parameter.name}` === field),
  );

  return (
    <>
      <h1>New collection</h1>
      {optionsError && (
        <p className="notice notice-error" role="alert">
          {describeError(optionsError)}
        </p>
      )}
      <form className="panel" onSubmit={submit} noValidate aria-describedby="form-errors">
        <div id="form-errors" role="alert">
          {(formErrors || otherErrors.length > 0) && (
            <div className="notice notice-error">
              {formErrors?.map((message) => (
                <p key={message}>{message}</p>
              ))}
              {otherErrors.map(([field, messages]) => (
                <p key={field}>
                  {field}: {messages.join(" ")}
                </p>
              ))}
            </div>
          )}
        </div>
        <Field id="name" label="Name" errors={errors.name}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              value={name}
              onChange={(event) => setName(event.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              autoComplete="off"
            />
          )}
        </Field>
        <div className="form-grid">
          <Field id="workflowId" label="Workflow" errors={errors.workflowId}>
            {({ id, describedBy, invalid }) => (
              <select
                id={id}
                value={workflowId}
                onChange={(event) => {
                  setWorkflowId(event.target.value);
                  setParameterTexts({});
                }}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              >
                <option value="">Choose a workflow…</option>
                {workflows.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {candidate.name} (v{candidate.version})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="instanceId" label="AMC instance" errors={errors.instanceId}>
            {({ id, describedBy, invalid }) => (
              <select
                id={id}
                value={instanceId}
                onChange={(event) => setInstanceId(event.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              >
                <option value="">Choose an instance…</option>
                {instances.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {candidate.name} ({candidate.amcInstanceId})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            id="startDate"
            label="Start date"
            hint="First day, inclusive. The default range is the last 52 complete weeks with data."
            errors={errors.startDate}
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="date"
                value={startDate}
                onChange={(event) => setStartDate(event.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
          <Field id="endDate" label="End date" hint="Last day, inclusive." errors={errors.endDate}>
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                type="date"
                value={endDate}
                onChange={(event) => setEndDate(event.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
          <Field
            id="timezone"
            label="Time zone"
            hint="Time zone of the AMC time windows."
            errors={errors.timezone}
          >
            {({ id, describedBy, invalid }) => (
              <select
                id={id}
                value={timezone}
                onChange={(event) => setTimezone(event.target.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              >
                {zones.map((zone) => (
                  <option key={zone} value={zone}>
                    {zone}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        {parameters.length > 0 && (
          <fieldset>
            <legend>Parameters of {workflow?.name}</legend>
            <div className="form-grid">
              {parameters.map((parameter) => (
                <ParameterInput
                  key={parameter.name}
                  parameter={parameter}
                  text={textOf(parameter)}
                  errors={errors[`parameters.${parameter.name}`]}
                  onChange={(text) =>
                    setParameterTexts((texts) => ({ ...texts, [parameter.name]: text }))
                  }
                />
              ))}
            </div>
          </fieldset>
        )}
        <section aria-labelledby="preview-heading" aria-live="polite">
          <h2 id="preview-heading">Weeks to run</h2>
          <WeekPreview startDate={startDate} endDate={endDate} timezone={timezone} />
        </section>
        <p>
          <button type="submit" disabled={createState.fetching}>
            {createState.fetching ? "Creating…" : "Create collection"}
          </button>
        </p>
      </form>
    </>
  );
}
