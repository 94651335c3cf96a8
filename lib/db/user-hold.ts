import type { Prisma } from "./client";
import type { Database } from "./types";

/**
 * Holds a user's row until the transaction ends, so that transactions about one person (their
 * sign-ins) run one after another, each reading what the one before wrote. PostgreSQL locks the
 * row; SQLite has one writer at a time, taken here by a write that changes nothing.
 */
export function holdUser(tx: Prisma.TransactionClient, backend: Database["backend"], userId: string): Promise<unknown> {
  // SQLite: a column no index, key or trigger names, so the write touches the row alone.
  return backend === "postgres"
    ? tx.$queryRaw`SELECT 1 FROM "User" WHERE "id" = ${userId} FOR UPDATE`
    : tx.$executeRaw`UPDATE "User" SET "lastLoginAt" = "lastLoginAt" WHERE "id" = ${userId}`;
}
