import type { DatabaseClient } from "./client";

/** The row the per-request session check needs: the session joined with its user. */
export type SessionWithUser = {
  id: string;
  userId: string;
  /** The hash of the token the check found it by: a token replacement names it (rotateSessionToken). */
  tokenHash: string;
  tokenHint: string;
  authMethod: "static" | "oidc";
  ipAddress: string | null;
  country: string | null;
  city: string | null;
  userAgent: string | null;
  rememberMe: boolean;
  keyFingerprint: string | null;
  createdAt: Date;
  /** When the person last proved a credential (sign-in, or re-authentication). */
  authenticatedAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  absoluteExpiresAt: Date;
  /** When it ended (see SESSION_END_CAUSES); null while it is not ended. */
  revokedAt: Date | null;
  /** Who revoked it (an actor's username): the session check words some revocations by it. */
  revokedBy: string | null;
  revokeReason: string | null;
  /** What ended it: a SessionEndCause code (null on rows revoked before causes were stored). */
  endReason: string | null;
  /** Where it was last used from (see SessionActivity); compared on each request to know when to write. */
  lastIpAddress: string | null;
  lastUserAgent: string | null;
  user: {
    id: string;
    username: string;
    displayName: string | null;
    email: string | null;
    role: string;
    disabledAt: Date | null;
    /** The SSO issuer and subject, for DASHBOARD_ADMINS entries of the form oidc:<sub> (the configured issuer's). */
    oidcIssuer: string | null;
    oidcSubject: string | null;
  };
  /**
   * The force logout still marking its rows when this was read (its ForceLogoutCutoff row), whether
   * or not it ends this session: what the rest of the request lists uses, instead of reading it again.
   */
  forceLogout: ForceLogoutCutoffRow | null;
};

/** A session as the lists present it (presentSession) and order it. */
export type ListedSessionRow = Pick<
  SessionWithUser,
  | "id" | "tokenHint" | "ipAddress" | "country" | "city" | "userAgent" | "rememberMe" | "createdAt" | "lastActiveAt" | "expiresAt"
  | "absoluteExpiresAt" | "revokedAt" | "revokedBy" | "revokeReason" | "endReason"
> & { authMethod: string };

/**
 * Which sessions one part of a list holds, and the column it is ordered by (newest first, then by
 * id). The rules are lib/sessions/active.ts's (sessionListParts); Prisma reads a part through
 * partWhere there, a backend's own statement (Database.userSessions) from this description.
 */
export type SessionListPart =
  | {
      rows: "active";
      order: "lastActiveAt" | "createdAt";
      now: Date;
      /** Static-key sessions count only when signed in with one of these (the configured keys). */
      keyFingerprints: string[];
      /** A force logout still marking its rows: only sessions created after it, or the one it keeps. */
      pending: { at: Date; keepSessionId: string | null } | null;
    }
  | { rows: "ended_marked"; order: "revokedAt" }
  | { rows: "expired_unmarked"; order: "expiresAt"; floor: Date; until: Date }
  | { rows: "all"; order: "lastActiveAt" | "createdAt" };

/** A new-device alert as lists show it. */
export type OpenAlertRow = {
  id: string;
  sessionId: string;
  browserFamily: string | null;
  osFamily: string | null;
  ipAddress: string | null;
  country: string | null;
  city: string | null;
  createdAt: Date;
  /** Whether the session it is about still works (the `active` rule of Database.openAlerts). */
  sessionActive: boolean;
};

/**
 * Where a part of a list continues (see partBound in lib/pagination/cursor.ts): its rows ordered
 * before `at`, and of those at `at` itself the ones with a lower id than `tie.idBelow`, all of them
 * ("all") or none ("none").
 */
export type PartBound = { at: Date; tie: { idBelow: string } | "all" | "none" };

/** One part of a list to read (Database.userSessions): its first `take` rows after `after` (null: from the start). */
export type UserSessionsRead = { part: SessionListPart; after: PartBound | null; take: number };

export type ExclusiveJob = "cleanup";

/** A ForceLogoutCutoff row (see lib/sessions/force-logout.ts). */
export type ForceLogoutCutoffRow = { at: Date; keepSessionId: string | null; revokedBy: string; revokeReason: string; endReason: string };

/** Expired sessions nobody saw expire, now marked ended, by kind of expiry; `last`: the latest expiry marked. */
export type ExpiryMarking = { marked: number; idle: number; absolute: number; last: Date | null };

/** The throttled activity write: the sliding expiry, and where the session is being used from. */
export type SessionTouch = {
  lastActiveAt: Date;
  expiresAt: Date;
  seen: { ipAddress: string | null; userAgent: string | null; country: string | null; city: string | null };
};

/** How many distinct (address, user agent) entries a session keeps; the least recently seen go first. */
export const ACTIVITY_ENTRIES_KEPT = 20;

export type RevokeBatch = {
  after: string | null;
  limit: number;
  now: Date;
  keep: string | null;
  revokedBy: string;
  reason: string;
  /** The end cause (SESSION_END_CAUSES), stored as endReason and carried by webhook session.ended events. */
  cause: string;
};

/** Lapsed sessions per user (Database.lapsedSessionsPerUser). */
export type LapsedRows = { userId: string; sessions: number }[];

/** Rows read with a bound of `atMost` + 1: null when the bound was reached. */
export const withinLapsedBound = (rows: LapsedRows, atMost: number): LapsedRows | null =>
  rows.reduce((sum, row) => sum + Number(row.sessions), 0) > atMost ? null : rows;

/**
 * A storage backend. Everything goes through `prisma` except what runs on every request or every
 * signed-in page (the session check's statements, the lists of one's own sessions and alerts) and
 * the bulk batches (cleanup, force logout), which each backend runs on its own driver (measured:
 * Prisma ≈ 480 µs for the joined lookup on SQLite, a prepared statement ≈ 16 µs).
 */
export interface Database {
  readonly backend: "sqlite" | "memory" | "postgres";
  readonly prisma: DatabaseClient;
  /**
   * Where webhook events go (DASHBOARD_WEBHOOK_URL): changes write one outbox row per event and URL
   * in their own transaction (lib/webhooks/events.ts), the bulk statements below included. Empty:
   * webhooks are off and nothing is written.
   */
  readonly webhookUrls: readonly string[];
  /**
   * The session check's one statement: the session with its user, by token hash, and the force
   * logout still marking its rows, if any (`forceLogout`, its ForceLogoutCutoff row). The check
   * reads the session as that force logout will mark it (asMarked), and the request's lists reuse it.
   */
  findSessionByTokenHash(tokenHash: string): Promise<SessionWithUser | null>;
  /**
   * The force logout whose rows are still being marked (its ForceLogoutCutoff row), or null: read by
   * every listing of sessions, so one prepared statement rather than a Prisma query.
   */
  forceLogoutCutoff(): Promise<ForceLogoutCutoffRow | null>;
  /**
   * The activity write, in one transaction: the session's lastActiveAt, expiresAt and last-seen
   * columns, its SessionActivity entry for (address, user agent) created or brought up to date, and
   * entries beyond ACTIVITY_ENTRIES_KEPT deleted, least recently seen first.
   */
  touchSession(id: string, touch: SessionTouch): Promise<void>;
  /**
   * Marks ended up to `limit` sessions not ended yet whose expiresAt has passed at `now` — expiries
   * nobody saw — in one statement (cleanup runs this in a loop): revokedAt = their expiresAt,
   * revokedBy `endedBy`, endReason expired_absolute when the absolute cap
   * is what ended them (expiresAt never exceeds absoluteExpiresAt, so the cap ended a row whose two
   * expiries are equal), else expired_idle. Says how many it marked, by kind. With webhooks on, each
   * writes a session.ended event in the same statement or transaction. `from`: only rows expired at
   * or after it — pass the previous batch's `last`, so each batch starts where the last one stopped:
   * on PostgreSQL the index entries of the rows already marked stay (dead) until a vacuum, and a walk
   * from the start of the range went over all of them again in every batch. A row skipped because
   * another writer held it waits for the next cleanup run.
   */
  endExpiredSessions(now: Date, limit: number, endedBy: string, from: Date): Promise<ExpiryMarking>;
  /**
   * Where the expiries not marked yet begin: every session not ended expires at or after `floor`.
   * Cleanup's marking starts there, and raises it when done (raiseExpiryFloor). SQLite keeps it
   * (a table its triggers keep true, see the 20261203100000 migration): its revokedAt and expiresAt
   * indexes are apart, and a walk of expiresAt from the epoch would read every ended row of the
   * history. PostgreSQL keeps none, as a partial index holds the not-ended rows alone, by expiry
   * (see the 20261205000000 migration): the epoch, version 0.
   */
  expiryFloor(): Promise<{ floor: Date; version: number }>;
  /**
   * After cleanup marked every expiry from `read.floor` up to `to`: raises the floor to `to`, unless
   * a write since `read` (a session written not ended and already expired, or expiring before the
   * floor) might have left one behind the marking — then false, and the next run starts lower (false
   * too when another run already raised it as far).
   */
  raiseExpiryFloor(read: { floor: Date; version: number }, to: Date): Promise<boolean>;
  /**
   * Deletes up to `limit` ended sessions whose end (revokedAt) is at or before `before`, in one
   * statement (cleanup runs this in a loop; measured, Prisma's deleteMany with 500 listed ids costs
   * ≈ 60 ms against ≈ 10 ms here). Says how many it deleted, and the latest end among them (`last`);
   * `from`: only rows ended at or after it, as endExpiredSessions.
   */
  deleteEndedSessions(before: Date, limit: number, from: Date): Promise<{ deleted: number; last: Date | null }>;
  /**
   * One batch of "force logout everyone": marks ended (revokedAt = `now`, revokedBy, revokeReason, endReason)
   * the sessions created at or before `now` and active then, past the position `after` (null: from the start; otherwise what the
   * previous batch returned as `last`), the first `limit` of them in the backend's walk order, in one
   * statement. Active: not revoked and both expiries after `now`, whatever key signed it in
   * (revocableSessionWhere). `keep` (the acting admin's session) is left alone.
   * Returns how many rows the batch picked, how many it revoked (fewer when another writer revoked
   * some first), and the position of the last row it picked, where the next batch starts; `picked` 0
   * means done. The walk order: PostgreSQL, by owner and id; SQLite, the rowid (see there). With webhooks
   * on, every revoked row writes a session.ended event (`cause`, by `revokedBy`) in the same statement
   * or transaction.
   */
  revokeActiveSessionsBatch(batch: RevokeBatch): Promise<{ picked: number; revoked: number; last: string | null }>;
  /**
   * Per user, the sessions not revoked, expired at `now` (expiresAt <= now) and signed in through
   * OIDC or with one of `keyFingerprints`: the "lapsed" rows the Admin Panel's figures subtract.
   * Always a range seek, whatever the planner's statistics say: between two cleanups those rows are
   * few, and any other plan reads every session. PostgreSQL: the partial index of the rows not
   * ended, by expiry; SQLite: the expiresAt index from the expiry floor (see expiryFloor).
   */
  lapsedSessionsPerUser(now: Date, keyFingerprints: string[]): Promise<LapsedRows>;
  /**
   * lapsedSessionsPerUser reading at most `atMost` + 1 rows: null when there are more than `atMost`
   * (cleanup far behind, or off), for a caller that has a cheaper way then.
   */
  lapsedSessionsPerUserUpTo(now: Date, keyFingerprints: string[], atMost: number): Promise<LapsedRows | null>;
  /**
   * The user's new-device alerts created since `since`, neither dismissed nor reported, newest
   * first, at most `take`, each saying whether the session it is about is still active (`active`:
   * the rule, as lists take it): what every signed-in page asks, so one prepared statement on the
   * [userId, createdAt] index rather than Prisma.
   */
  openAlerts(userId: string, since: Date, active: SessionListPart & { rows: "active" }, take: number): Promise<OpenAlertRow[]>;
  /**
   * Parts of lists of one person's sessions, each read's rows in its part's order: for each read,
   * the first `take` rows of `part` after `after` (null: from the start). Every listing of one's own
   * sessions (Settings > Sessions, GET /api/sessions) reads through this, on the [userId, …]
   * indexes; one prepared statement per shape (measured on SQLite: Prisma ≈ 400 µs for three rows,
   * this ≈ 30 µs). PostgreSQL reads them all in one statement (each round trip costs this process
   * ≈ 175 µs of CPU, mostly in the kernel); SQLite, which has no round trips, one statement each.
   */
  userSessions(userId: string, reads: UserSessionsRead[]): Promise<ListedSessionRow[][]>;
  /**
   * Before each batch of a bulk write (cleanup, force logout): SQLite waits while its write-ahead
   * log is past 4 MB and not yet copied into the database file, so the log can start over instead
   * of growing — until copied, or after a second without headway (see ./sqlite-checkpoints.ts).
   * PostgreSQL: nothing to wait for.
   */
  roomForBulkWrite(): Promise<void>;
  /**
   * After a bulk end or delete (cleanup, force logout): PostgreSQL, VACUUM (ANALYZE) "Session" — it
   * blocks no reader or writer, and is skipped while another vacuum has the table. Until a vacuum,
   * the index entries of every row version the bulk statements replaced or deleted stay, and each
   * query through those indexes walks them (measured after 500,000 expiries were marked: the Admin
   * Panel's counters read 500,000 dead entries, 230 ms, to find none); the fresh statistics stop
   * plans from assuming the deleted rows are still there. SQLite updates its indexes in place:
   * nothing to do.
   */
  vacuumSessions(): Promise<void>;
  /**
   * Runs `work` unless another process is already running the same job against this database
   * (PostgreSQL: an advisory lock). SQLite serves one host, where concurrent runs are harmless.
   */
  runExclusive<T>(job: ExclusiveJob, work: () => Promise<T>): Promise<{ ran: true; result: T } | { ran: false }>;
  /** Throws when the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
