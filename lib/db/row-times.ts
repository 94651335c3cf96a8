/**
 * Times as the backends' drivers give them in a row: SQLite stores them as text, and PostgreSQL's
 * hot statements answer one JSON column per row (row_to_json), which writes them as text too. Each
 * backend names a row's time columns once, beside its columns, and turns them into Dates here.
 */

/** A row as a backend's driver gives it: its times (`Time`) as text, ISO 8601 with their offset. */
export type TimesAsText<Row, Time extends keyof Row> = Omit<Row, Time> & Record<Time, string | null>;

/** A row's times as Dates, in place. */
export function withTimes<Row, Time extends keyof Row>(text: TimesAsText<Row, Time>, times: readonly Time[]): Row {
  const row = text as Record<Time, unknown>;
  for (const key of times) if (row[key] !== null) row[key] = new Date(row[key] as string);
  return row as Row;
}
