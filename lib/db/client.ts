/**
 * The Prisma API the rest of the code is written against, imported from the generated clients here
 * and nowhere else (a lint rule keeps it so).
 *
 * Both backends' clients are generated from schemas kept identical in models (a test fails if they
 * drift), so they share one model API: the SQLite client's types, and its `Prisma` helpers
 * (Prisma.sql, Prisma.join), stand for both. A client generated for one provider refuses the other's
 * adapter, which is the only reason there are two.
 */
export { Prisma } from "./generated/sqlite/client";
export type { PrismaClient as DatabaseClient } from "./generated/sqlite/client";
