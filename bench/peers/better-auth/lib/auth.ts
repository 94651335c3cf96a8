import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { nextCookies } from "better-auth/next-js";
import { Pool } from "pg";
import { peerDatabase } from "../../shared/database";

// Better Auth as its documentation sets it up: database sessions, email and password sign-in.
// The cookie cache stays off (its default), so every getSession reads the session from the database,
// as a revocation that holds at the next request requires.
const db = peerDatabase();

export const auth = betterAuth({
  database: db.kind === "sqlite" ? new Database(db.path) : new Pool({ connectionString: db.url }),
  emailAndPassword: { enabled: true },
  session: { cookieCache: { enabled: false } },
  telemetry: { enabled: false },
  plugins: [nextCookies()],
});
