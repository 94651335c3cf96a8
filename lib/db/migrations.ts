import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export type Migration = { name: string; sql: string; checksum: string };

/** Reads `<dir>/<name>/migration.sql` in name order, as Prisma does. */
export function readMigrations(dir: string): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      // Prisma's checksum: SHA-256 (hex) of the file's bytes.
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export const migrationsDir = (provider: "sqlite" | "postgres") => path.join(process.cwd(), "prisma", provider, "migrations");

export const newMigrationId = () => randomUUID();

export class MigrationError extends Error {}
