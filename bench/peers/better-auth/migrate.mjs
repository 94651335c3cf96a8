// Creates Better Auth's tables with the library's own migrator (what `npx auth migrate` runs), for
// the database named by PEER_DATABASE / SQLITE_PATH / DATABASE_URL. The options that shape the
// schema match lib/auth.ts: no plugins that add tables or columns.
import Database from "better-sqlite3";
import { getMigrations } from "better-auth/db/migration";
import pg from "pg";

const kind = process.env.PEER_DATABASE;
if (kind !== "sqlite" && kind !== "postgres") throw new Error(`PEER_DATABASE must be "sqlite" or "postgres", got ${JSON.stringify(kind)}`);
const database = kind === "sqlite" ? new Database(process.env.SQLITE_PATH) : new pg.Pool({ connectionString: process.env.DATABASE_URL });
try {
  const { runMigrations } = await getMigrations({ database, emailAndPassword: { enabled: true }, telemetry: { enabled: false } });
  await runMigrations();
} finally {
  if (kind === "sqlite") database.close();
  else await database.end();
}
