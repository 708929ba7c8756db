import type { WorkflowParameter } from "@/api/types.ts";
import { controlFor, type ParameterControl } from "@/lib/parameters.ts";
import { Field } from "./field.tsx";

function stepOf(control: ParameterControl): number | "any" | undefined {
  if (control === "integer") return 1;
  if (control === "decimal") return "any";
  return undefined;
}

function inputTypeOf(control: ParameterControl): "number" | "date" | "text" {
  if (control === "integer" || control === "decimal") return "number";
  if (control === "date") return "date";
  return "text";
}

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
        return (
          <input
            {...common}
            type={inputTypeOf(control)}
            step={stepOf(control)}
            value={text}
            onChange={(event) => onChange(event.target.value)}
          />
        );
      }}
    </Field>
  );
}
