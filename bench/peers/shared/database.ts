/**
 * Which database a peer app uses, from the environment: PEER_DATABASE=sqlite with SQLITE_PATH, or
 * PEER_DATABASE=postgres with DATABASE_URL. `next build` loads the route modules without either, so
 * the build phase gets an in-memory SQLite database that is never queried.
 */
export type PeerDatabase = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

export function peerDatabase(): PeerDatabase {
  if (process.env.NEXT_PHASE === "phase-production-build") return { kind: "sqlite", path: ":memory:" };
  const kind = process.env.PEER_DATABASE;
  if (kind === "sqlite") return { kind, path: required("SQLITE_PATH") };
  if (kind === "postgres") return { kind, url: required("DATABASE_URL") };
  throw new Error(`PEER_DATABASE must be "sqlite" or "postgres", got ${JSON.stringify(kind)}`);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
