import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { peerDatabase } from "../../shared/database";
import { PrismaClient as PostgresPrismaClient } from "../generated/postgres/client";
import { PrismaClient as SqlitePrismaClient } from "../generated/sqlite/client";

// Prisma 7 talks to the database through a driver adapter; the provider is fixed per schema, hence
// one generated client per database kind. Both have the same models.
const db = peerDatabase();

export const prisma =
  db.kind === "sqlite"
    ? new SqlitePrismaClient({ adapter: new PrismaBetterSqlite3({ url: db.path }) })
    : (new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: db.url }) }) as unknown as SqlitePrismaClient);
