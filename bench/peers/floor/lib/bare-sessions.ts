import Database from "better-sqlite3";
import { Pool } from "pg";
import { peerDatabase } from "../../shared/database";

/** A seeded session as the bare check reads it. */
export type BareSession = { userId: string; expiresAt: string | Date };

// The least a server-side session check does: one indexed read of the session by the hash of its
// token, on a connection opened once. No signature, no user row, no expiry sliding, no logging.
// Opened at the first request: `next build` loads this module with an empty in-memory database.
const db = peerDatabase();
const QUERY = `SELECT user_id AS "userId", expires_at AS "expiresAt" FROM bare_session WHERE token_hash = `;

let find: ((tokenHash: string) => Promise<BareSession | undefined>) | undefined;

function open(): (tokenHash: string) => Promise<BareSession | undefined> {
  if (db.kind === "sqlite") {
    const statement = new Database(db.path).prepare(`${QUERY}?`);
    return async (tokenHash) => statement.get(tokenHash) as BareSession | undefined;
  }
  const pool = new Pool({ connectionString: db.url, max: 10 });
  return async (tokenHash) => (await pool.query<BareSession>({ name: "bare-session", text: `${QUERY}$1`, values: [tokenHash] })).rows[0];
}

export function findSession(tokenHash: string): Promise<BareSession | undefined> {
  find ??= open();
  return find(tokenHash);
}
