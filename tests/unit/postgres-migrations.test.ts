import fs from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/db/generated/postgres/client";
import { migrationsDir, readMigrations } from "@/lib/db/migrations";
import { applyPostgresMigrations } from "@/lib/db/postgres-migrations";
import { tempPostgresDatabase } from "./helpers";

const normalizedModels = (file: string) =>
  [...fs.readFileSync(path.join(process.cwd(), file), "utf8").matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)].map(([, name, body]) => ({
    name,
    fields: body
      .split("\n")
      .map((line) => line.replace(/\/\/.*$/, "").replace(/@db\.\w+(\([^)]*\))?/g, "").trim().replace(/\s+/g, " "))
      .filter(Boolean)
      // Indexes are each backend's own: PostgreSQL's partial indexes, SQLite's revokedAt and expiresAt
      // apart (see their migrations). Compared are the fields, keys and relations.
      .filter((line) => !line.startsWith("@@index(")),
  }));

describe("PostgreSQL schema and migrations", () => {
  it("keep the same models as the SQLite schema (only @db column types may differ)", () => {
    expect(normalizedModels("prisma/postgres/schema.prisma")).toEqual(normalizedModels("prisma/sqlite/schema.prisma"));
  });

  it("are applied exactly once when several replicas start together, and match the Prisma schema", async () => {
    const url = await tempPostgresDatabase();
    const pools = [1, 2, 3].map(() => new pg.Pool({ connectionString: url, max: 2 }));
    try {
      const results = await Promise.all(pools.map((pool) => applyPostgresMigrations(pool)));
      const expected = readMigrations(migrationsDir("postgres")).map((m) => m.name);
      expect(results.flat()).toEqual(expected);
      const rows = (await pools[0].query('SELECT migration_name, checksum, applied_steps_count, finished_at FROM "_prisma_migrations"')).rows;
      expect(rows.map((r) => r.migration_name)).toEqual(expected);
      expect(rows.every((r) => r.applied_steps_count === 1 && r.finished_at instanceof Date)).toBe(true);
      expect(await applyPostgresMigrations(pools[0])).toEqual([]);

      // Every model written and read through the generated client.
      const prisma = new PrismaClient({ adapter: new PrismaPg(pools[0]) });
      const now = new Date("2026-11-23T10:00:00.123Z");
      await prisma.user.create({
        data: { id: "u1", username: "alice", authSource: "oidc", oidcIssuer: "https://idp", oidcSubject: "s", lastLoginAt: now, disabledAt: now, disabledBy: "root" },
      });
      await prisma.session.create({
        data: {
          id: "s1", tokenHash: "h".repeat(64), tokenHint: "12345678", userId: "u1", authMethod: "oidc", ipAddress: "::1", country: "DE",
          city: "München", userAgent: "ua", rememberMe: true, keyFingerprint: null, oidcSid: "sid-1", createdAt: now, authenticatedAt: now, lastActiveAt: now,
          expiresAt: now, absoluteExpiresAt: now, revokedAt: now, revokedBy: "root", revokeReason: "test",
        },
      });
      await prisma.authEvent.create({ data: { id: "e1", at: now, type: "sessions.cleaned", count: 3 } });
      await prisma.loginAttempt.create({ data: { key: "ip:1", failures: 2, windowStart: now } });
      const loaded = await prisma.user.findUniqueOrThrow({ where: { username: "alice" }, include: { sessions: true } });
      expect(loaded).toMatchObject({ disabledAt: now, sessions: [{ city: "München", oidcSid: "sid-1", revokedAt: now, rememberMe: true }] });
      expect(await prisma.authEvent.findFirst()).toMatchObject({ count: 3, at: now });
      // The per-user counts follow the sessions (triggers), and read and write through the client.
      await prisma.session.create({
        data: { id: "s2", tokenHash: "k".repeat(64), tokenHint: "x", userId: "u1", authMethod: "static", keyFingerprint: "fp", authenticatedAt: now, expiresAt: now, absoluteExpiresAt: now },
      });
      const key = { userId: "u1", authMethod: "static", keyFingerprint: "fp" };
      expect(await prisma.userSessionCount.findMany()).toEqual([{ ...key, sessions: 1 }]);
      await prisma.userSessionCount.update({ where: { userId_authMethod_keyFingerprint: key }, data: { sessions: 1 } });
      await prisma.user.delete({ where: { id: "u1" } });
      expect(await prisma.session.count()).toBe(0);
      expect(await prisma.userSessionCount.count()).toBe(0);
      await prisma.$disconnect();
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it("cover every field of the schema", () => {
    const sql = readMigrations(migrationsDir("postgres")).map((m) => m.sql).join("\n");
    for (const model of normalizedModels("prisma/postgres/schema.prisma")) {
      expect(sql).toContain(`CREATE TABLE "${model.name}"`);
      for (const field of model.fields) {
        const name = field.match(/^(\w+) (String|Int|Boolean|DateTime)\??/)?.[1];
        if (name) expect(sql, `${model.name}.${name}`).toContain(`"${name}"`);
      }
    }
  });
});
