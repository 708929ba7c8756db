import type { WorkflowParameter } from "@/api/types.ts";
import { controlFor } from "@/lib/parameters.ts";
import { Field } from "./field.tsx";

/** Props of ParameterInput. */
export interface ParameterInputProps {
  parameter: WorkflowParameter;
  text: string;
  errors: string[] | undefined;
  onChange: (text: string) => void;
}

/** Typed input for one declared workflow parameter. */
export function ParameterInput({ parameter, text, errors, onChange }: ParameterInputProps) {
  const control = controlFor(parameter.type);
  const id = `parameter-${parameter.name}`;
  const hint = `${parameter.type}${parameter.required ? ", required" : ", optional"}${
    control === "list" ? ", comma-separated" : ""
  }`;
  return (
    <Field id={id} label={parameter.name} hint={hint} errors={errors}>
      {({ id: controlId, describedBy, invalid }) => {
        const common = { id: controlId, "aria-describedby": describedBy, "aria-invalid": invalid };
        if (control === "boolean") {
          return (
            <select
              {...common}
              value={text === "true" ? "true" : "false"}
              onChange={(event) => onChange(event.target.value)}
            >
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          );
        }
        const type =
          control === "integer" || control === "decimal"
            ? "number"
            : control === "date"
              ? "date"
              : "text";
        return (
          <input
            {...common}
            type={type}
            step={control === "integer" ? 1 : control === "decimal" ? "any" : undefined}
            value={text}
            onChange={(event) => onChange(event.target.value)}
          />
        );
      }}
    </Field>
  );
}
