import type { FieldErrors } from "@/api/user-errors.ts";

/** Errors that belong to no shown field, listed at the top of a form. */
export function FormErrors({ errors, fields }: { errors: FieldErrors; fields: string[] }) {
  const loose = Object.entries(errors).filter(([field]) => !fields.includes(field));
  return (
    <div role="alert">
      {loose.length > 0 && (
        <div className="notice notice-error">
          {loose.map(([field, messages]) => (
            <p key={field}>
              {field ? `${field}: ` : ""}
              {messages.join(" ")}
            </p>
          ))}
        </div>
      )}
    </div>
  );
}
