/** Notice above data that could not be brought up to date; the data shown stays readable. */
export function StaleNotice({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="notice" role="status">
      Showing the last known state. {message}
    </p>
  );
}
