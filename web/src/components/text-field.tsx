import type { FieldErrors } from "@/api/user-errors.ts";
import { Field } from "./field.tsx";

/** Props of TextField. */
export interface TextFieldProps {
  id: string;
  name: string;
  label: string;
  value: string;
  errors: FieldErrors;
  onChange: (value: string) => void;
  type?: "text" | "number" | "password" | "url";
  hint?: string;
  autoComplete?: string;
}

/** Renders a labelled text input bound to one input field of a mutation. */
export function TextField(props: TextFieldProps) {
  return (
    <Field id={props.id} label={props.label} hint={props.hint} errors={props.errors[props.name]}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          type={props.type ?? "text"}
          value={props.value}
          autoComplete={props.autoComplete ?? "off"}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
    </Field>
  );
}
