"use client";

import type { FieldErrors } from "@/api/user-errors.ts";

/** A declared parameter being edited, with its default as typed text. */
export interface ParameterDraft {
  name: string;
  type: string;
  defaultText: string;
  required: boolean;
  /** TEMPLATE (a literal in the SQL) or CUSTOM_PARAMETER (an AMC parameter value). */
  passAs: string;
}

const parameterTypes = [
  "STRING",
  "INTEGER",
  "DECIMAL",
  "BOOLEAN",
  "DATE",
  "STRING_LIST",
  "INTEGER_LIST",
];

/** Rows of declared workflow parameters with add and remove buttons. */
export function ParameterEditor(props: {
  drafts: ParameterDraft[];
  errors: FieldErrors;
  onChange: (drafts: ParameterDraft[]) => void;
}) {
  const { drafts, onChange } = props;
  const update = (index: number, change: Partial<ParameterDraft>) =>
    onChange(
      drafts.map((draft, position) => (position === index ? { ...draft, ...change } : draft)),
    );

  return (
    <fieldset>
      <legend>Parameters</legend>
      {drafts.length === 0 && (
        <p className="field-hint">
          No parameters. The SQL can still use {"{{start_date}}"} and {"{{end_date}}"}.
        </p>
      )}
      {drafts.map((draft, index) => {
        const rowErrors =
          props.errors[`parameters.${index}`] ?? props.errors[`parameters.${index}.name`];
        return (
          <div className="filters" key={index} role="group" aria-label={`Parameter ${index + 1}`}>
            <div className="field">
              <label htmlFor={`parameter-name-${index}`}>Name</label>
              <input
                id={`parameter-name-${index}`}
                value={draft.name}
                onChange={(event) => update(index, { name: event.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`parameter-type-${index}`}>Type</label>
              <select
                id={`parameter-type-${index}`}
                value={draft.type}
                onChange={(event) => update(index, { type: event.target.value })}
              >
                {parameterTypes.map((type) => (
                  <option key={type}>{type}</option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`parameter-pass-as-${index}`}>Passed as</label>
              <select
                id={`parameter-pass-as-${index}`}
                value={draft.passAs}
                onChange={(event) => update(index, { passAs: event.target.value })}
              >
                <option value="TEMPLATE">SQL literal</option>
                <option value="CUSTOM_PARAMETER">AMC parameter</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor={`parameter-default-${index}`}>Default</label>
              <input
                id={`parameter-default-${index}`}
                value={draft.defaultText}
                onChange={(event) => update(index, { defaultText: event.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`parameter-required-${index}`}>Required</label>
              <input
                id={`parameter-required-${index}`}
                type="checkbox"
                checked={draft.required}
                onChange={(event) => update(index, { required: event.target.checked })}
              />
            </div>
            <button
              type="button"
              className="secondary"
              onClick={() => onChange(drafts.filter((_, position) => position !== index))}
            >
              Remove parameter {index + 1}
            </button>
            {rowErrors && <span className="field-error">{rowErrors.join(" ")}</span>}
          </div>
        );
      })}
      <button
        type="button"
        className="secondary"
        onClick={() =>
          onChange([
            ...drafts,
            { name: "", type: "STRING", defaultText: "", required: false, passAs: "TEMPLATE" },
          ])
        }
      >
        Add parameter
      </button>
    </fieldset>
  );
}
