"use client";

import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { CreateWorkflowMutation, UpdateWorkflowMutation, WorkflowsQuery } from "@/api/documents.ts";
import type { Connection, WorkflowParameter } from "@/api/types.ts";
import { describeError, type FieldErrors } from "@/api/user-errors.ts";
import { Field } from "@/components/field.tsx";
import { FormErrors } from "@/components/form-errors.tsx";
import { ParameterEditor, type ParameterDraft } from "@/components/parameter-editor.tsx";
import { readSaveResult } from "@/components/save-result.ts";
import { SqlView } from "@/components/sql-view.tsx";
import { TextField } from "@/components/text-field.tsx";
import { initialText, toParameterValue } from "@/lib/parameters.ts";

interface Workflow {
  id: string;
  name: string;
  description: string;
  sql: string;
  version: number;
  parameters: WorkflowParameter[];
}

const fields = ["name", "description", "sql"];

function toDraft(parameter: WorkflowParameter): ParameterDraft {
  return {
    name: parameter.name,
    type: parameter.type,
    defaultText: initialText(parameter),
    required: parameter.required,
    passAs: parameter.passAs ?? "TEMPLATE",
  };
}

function toParameterInput(draft: ParameterDraft) {
  const parameter = {
    name: draft.name.trim(),
    type: draft.type,
    required: draft.required,
    passAs: draft.passAs,
    default: null,
  };
  const value =
    draft.defaultText.trim() === "" ? null : toParameterValue(parameter, draft.defaultText);
  return { ...parameter, default: value };
}

function WorkflowForm({ workflow, onDone }: { workflow: Workflow | null; onDone: () => void }) {
  const [name, setName] = useState(workflow?.name ?? "");
  const [description, setDescription] = useState(workflow?.description ?? "");
  const [sql, setSql] = useState(
    workflow?.sql ??
      "SELECT\n  campaign,\n  SUM(impressions) AS impressions\nFROM dsp_impressions\nGROUP BY campaign",
  );
  const [drafts, setDrafts] = useState<ParameterDraft[]>(
    () => workflow?.parameters.map(toDraft) ?? [],
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [createState, create] = useMutation(CreateWorkflowMutation);
  const [updateState, update] = useMutation(UpdateWorkflowMutation);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const input = { name, description, sql, parameters: drafts.map(toParameterInput) };
    const result = workflow ? await update({ id: workflow.id, input }) : await create({ input });
    const outcome = readSaveResult(result);
    setErrors(outcome.errors);
    if (outcome.ok) onDone();
  };

  return (
    <form
      className="panel"
      onSubmit={submit}
      noValidate
      aria-label={workflow ? `Edit ${workflow.name}` : "New workflow"}
    >
      <h2>{workflow ? `Edit ${workflow.name}` : "New workflow"}</h2>
      <FormErrors errors={errors} fields={fields} />
      <TextField
        id="workflow-name"
        name="name"
        label="Name"
        value={name}
        onChange={setName}
        errors={errors}
      />
      <TextField
        id="workflow-description"
        name="description"
        label="Description"
        value={description}
        onChange={setDescription}
        errors={errors}
      />
      <Field
        id="workflow-sql"
        label="SQL template"
        hint="{{start_date}} and {{end_date}} are filled in for each week; declared parameters as {{name}}."
        errors={errors.sql}
      >
        {({ id, describedBy, invalid }) => (
          <textarea
            id={id}
            rows={10}
            value={sql}
            spellCheck={false}
            onChange={(event) => setSql(event.target.value)}
            aria-describedby={describedBy}
            aria-invalid={invalid}
          />
        )}
      </Field>
      <ParameterEditor drafts={drafts} errors={errors} onChange={setDrafts} />
      <div className="actions" style={{ marginTop: 12 }}>
        <button type="submit" disabled={createState.fetching || updateState.fetching}>
          {workflow ? "Save workflow" : "Create workflow"}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Close
        </button>
      </div>
    </form>
  );
}

/** Workflows (SQL templates): list, create and edit. */
export function WorkflowsView() {
  const [{ data, error }, reexecute] = useQuery<{ workflows: Connection<Workflow> }>({
    query: WorkflowsQuery,
  });
  const [editing, setEditing] = useState<Workflow | "new" | null>(null);
  const workflows = data?.workflows.edges.map((edge) => edge.node) ?? [];
  const close = () => {
    setEditing(null);
    reexecute({ requestPolicy: "network-only" });
  };
  return (
    <>
      <div className="page-header">
        <h1>Workflows</h1>
        <button type="button" onClick={() => setEditing("new")}>
          New workflow
        </button>
      </div>
      {error && <p className="notice notice-error">{describeError(error)}</p>}
      {editing && (
        <WorkflowForm
          key={editing === "new" ? "new" : editing.id}
          workflow={editing === "new" ? null : editing}
          onDone={close}
        />
      )}
      {workflows.map((workflow) => (
        <details key={workflow.id} className="panel">
          <summary>
            <strong>{workflow.name}</strong> <span className="muted">v{workflow.version}</span>{" "}
            {workflow.description}
          </summary>
          <SqlView sql={workflow.sql} label={`SQL of ${workflow.name}`} />
          <p>
            Parameters:{" "}
            {workflow.parameters.length === 0
              ? "none"
              : workflow.parameters
                  .map(
                    (parameter) =>
                      `${parameter.name} (${parameter.type}${parameter.required ? ", required" : ""})`,
                  )
                  .join(", ")}
          </p>
          <button
            type="button"
            className="secondary"
            onClick={() => setEditing(workflow)}
            aria-label={`Edit ${workflow.name}`}
          >
            Edit
          </button>
        </details>
      ))}
    </>
  );
}
