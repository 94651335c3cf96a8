import type { Prisma } from "./client";
import type { Database } from "./types";

/**
 * What a transaction holding a user's row reads of it (how the account signs in, whether it is
 * disabled: a time, as each backend returns it; its email address before the transaction's own
 * writes); null when there is no such user.
 */
export type HeldUser = { authSource: string; oidcIssuer: string | null; oidcSubject: string | null; disabledAt: Date | string | null; email: string | null } | null;

/**
 * Holds a user's row until the transaction ends, so that transactions about one person (their
 * sign-ins) run one after another, each reading what the one before wrote, and a change to the row
 * (a link to single sign-on) waits for them; returns what the row says then. PostgreSQL locks the row; SQLite has one writer at a time,
 * taken here by a write that changes nothing.
 */
export async function holdUser(tx: Prisma.TransactionClient, backend: Database["backend"], userId: string): Promise<HeldUser> {
  // SQLite: a column no index, key or trigger names, so the write touches the row alone.
  const rows: NonNullable<HeldUser>[] =
    backend === "postgres"
      ? await tx.$queryRaw`SELECT "authSource", "oidcIssuer", "oidcSubject", "disabledAt", "email" FROM "User" WHERE "id" = ${userId} FOR UPDATE`
      : await tx.$queryRaw`UPDATE "User" SET "lastLoginAt" = "lastLoginAt" WHERE "id" = ${userId} RETURNING "authSource", "oidcIssuer", "oidcSubject", "disabledAt", "email"`;
  return rows[0] ?? null;
}
