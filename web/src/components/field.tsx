import type { ReactNode } from "react";

/** Props of Field. */
export interface FieldProps {
  id: string;
  label: string;
  hint?: string;
  errors?: string[];
  /** Renders the control with the ids it must use for aria-describedby and aria-invalid. */
  children: (control: {
    id: string;
    describedBy: string | undefined;
    invalid: boolean;
  }) => ReactNode;
}

/** Renders a labelled form control with its hint and the server's messages for it. */
export function Field({ id, label, hint, errors, children }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors && errors.length > 0 ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: errorId !== undefined })}
      {hint && (
        <span className="field-hint" id={hintId}>
          {hint}
        </span>
      )}
      {errorId && (
        <span className="field-error" id={errorId} data-testid={`error-${id}`}>
          {errors?.join(" ")}
        </span>
      )}
    </div>
  );
}
