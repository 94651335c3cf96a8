import pg from "pg";

/** The PostgreSQL server the tests use: an admin URL that may create and drop databases. */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** One client on `url` for the length of `work`. */
export async function withPostgresClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** `url` with its database name replaced. */
export function postgresUrlFor(database: string, url = POSTGRES_ADMIN_URL): string {
  const result = new URL(url);
  result.pathname = `/${database}`;
  return result.toString();
}
