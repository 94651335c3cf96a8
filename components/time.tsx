/** A timestamp shown in UTC with the exact ISO time on hover, rendered on the server. */
export function Time({ value }: { value: Date }) {
  const iso = value.toISOString();
  const text = new Intl.DateTimeFormat("en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  }).format(value);
  return (
    <time dateTime={iso} title={iso}>
      {text} UTC
    </time>
  );
}
