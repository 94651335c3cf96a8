import fs from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { readMigrations, migrationsDir } from "@/lib/db/migrations";
import { applySqliteMigrations, openSqliteDatabase } from "@/lib/db/sqlite";
import { tempDatabase, tempDir } from "./helpers";

describe("SQLite migrations", () => {
  it("create the database file and schema on first use, recorded as Prisma records them", async () => {
    const file = (await tempDatabase()).env.DASHBOARD_SESSION_SQLITE_PATH;
    expect(fs.existsSync(file)).toBe(true);
    const raw = new BetterSqlite3(file, { readonly: true });
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(["AuthEvent", "LoginAttempt", "Session", "User", "UserSessionCount", "_prisma_migrations"]));
    const rows = raw.prepare('SELECT * FROM "_prisma_migrations" ORDER BY migration_name').all() as Record<string, unknown>[];
    const expected = readMigrations(migrationsDir("sqlite"));
    expect(rows.map((r) => r.migration_name)).toEqual(expected.map((m) => m.name));
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toBe(expected[i].checksum);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(String(row.id)).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
  });

  it("with none pending, take no write lock: a start is not held up by another process writing", async () => {
    const file = path.join(tempDir(), "sessions.db");
    await (await openSqliteDatabase(file)).close();
    const writer = new BetterSqlite3(file);
    writer.exec("BEGIN IMMEDIATE");
    const starting = new BetterSqlite3(file);
    starting.pragma("busy_timeout = 200");
    try {
      expect(applySqliteMigrations(starting)).toEqual([]);
    } finally {
      writer.exec("ROLLBACK");
      writer.close();
      starting.close();
    }
  });

  it("are idempotent: re-running on a migrated database applies nothing and keeps data", async () => {
    const file = path.join(tempDir(), "sessions.db");
    const first = await openSqliteDatabase(file);
    await first.prisma.user.create({ data: { id: "u1", username: "kept", authSource: "static" } });
    await first.close();
    const raw = new BetterSqlite3(file);
    expect(applySqliteMigrations(raw)).toEqual([]);
    expect(raw.prepare('SELECT count(*) FROM "_prisma_migrations"').pluck().get()).toBe(readMigrations(migrationsDir("sqlite")).length);
    raw.close();
    const again = await openSqliteDatabase(file);
    expect(await again.prisma.user.findUnique({ where: { username: "kept" } })).not.toBeNull();
    await again.close();
  });

  it("refuse to start on a migration edited after it was applied", async () => {
    const file = path.join(tempDir(), "sessions.db");
    await (await openSqliteDatabase(file)).close();
    const raw = new BetterSqlite3(file);
    raw.prepare('UPDATE "_prisma_migrations" SET checksum = ?').run("0".repeat(64));
    expect(() => applySqliteMigrations(raw)).toThrow(/checksum mismatch/);
    raw.close();
  });

  it("produce a schema the generated Prisma client can read and write in every model", async () => {
    const { db } = await tempDatabase();
    const now = new Date("2026-05-01T12:00:00.000Z");
    const user = await db.prisma.user.create({
      data: {
        id: "u1",
        username: "alice",
        displayName: "Alice",
        email: "alice@example.com",
        role: "admin",
        authSource: "oidc",
        oidcIssuer: "https://idp.example.com",
        oidcSubject: "sub-1",
        lastLoginAt: now,
      },
    });
    expect(user.createdAt).toBeInstanceOf(Date);
    await db.prisma.session.create({
      data: {
        id: "s1",
        tokenHash: "h".repeat(64),
        tokenHint: "12345678",
        userId: "u1",
        authMethod: "oidc",
        ipAddress: "::1",
        country: "DE",
        city: "München",
        userAgent: "ua",
        rememberMe: true,
        keyFingerprint: null,
        createdAt: now,
        authenticatedAt: now,
        lastActiveAt: now,
        expiresAt: now,
        absoluteExpiresAt: now,
        revokedAt: now,
        revokedBy: "root",
        revokeReason: "test",
      },
    });
    const loaded = await db.prisma.user.findUniqueOrThrow({ where: { username: "alice" }, include: { sessions: true } });
    expect(loaded.sessions[0]).toMatchObject({ id: "s1", rememberMe: true, revokedAt: now, revokedBy: "root" });
    await db.prisma.authEvent.create({
      data: { id: "e1", at: now, type: "login.succeeded", username: "alice", userId: "u1", sessionId: "s1", authMethod: "oidc", ip: "::1", userAgent: "ua", actor: "alice", detail: "x" },
    });
    expect(await db.prisma.authEvent.findFirst({ where: { type: "login.succeeded" } })).toMatchObject({ at: now, detail: "x" });
    await db.prisma.loginAttempt.create({ data: { key: "user:alice", failures: 2, windowStart: now } });
    expect(await db.prisma.loginAttempt.findUnique({ where: { key: "user:alice" } })).toMatchObject({ failures: 2, windowStart: now });
    // The hot-path statement reads what Prisma wrote.
    expect(await db.findSessionByTokenHash("h".repeat(64))).toMatchObject({
      id: "s1",
      rememberMe: true,
      revokedAt: now,
      country: "DE",
      city: "München",
      user: { username: "alice" },
    });
    // The per-user counts follow the sessions (triggers), and read and write through the client.
    await db.prisma.session.create({
      data: { id: "s2", tokenHash: "k".repeat(64), tokenHint: "x", userId: "u1", authMethod: "static", keyFingerprint: "fp", authenticatedAt: now, expiresAt: now, absoluteExpiresAt: now },
    });
    const key = { userId: "u1", authMethod: "static", keyFingerprint: "fp" };
    expect(await db.prisma.userSessionCount.findMany()).toEqual([{ ...key, sessions: 1 }]);
    await db.prisma.userSessionCount.update({ where: { userId_authMethod_keyFingerprint: key }, data: { sessions: 1 } });
    // Deleting a user removes their sessions (foreign keys are on), and their counts with them.
    await db.prisma.user.delete({ where: { id: "u1" } });
    expect(await db.prisma.session.count()).toBe(0);
    expect(await db.prisma.userSessionCount.count()).toBe(0);
  });

  it("also serve the in-memory backend, where Prisma and the hot path share one connection", async () => {
    const db = await openSqliteDatabase(":memory:");
    expect(db.backend).toBe("memory");
    await db.prisma.user.create({ data: { id: "u1", username: "mem", authSource: "static" } });
    const now = new Date();
    await db.prisma.session.create({
      data: { id: "s1", tokenHash: "m".repeat(64), tokenHint: "x", userId: "u1", authMethod: "static", authenticatedAt: now, expiresAt: now, absoluteExpiresAt: now },
    });
    expect(await db.findSessionByTokenHash("m".repeat(64))).toMatchObject({ id: "s1", user: { username: "mem" } });
    await db.close();
  });

  it("keep the Prisma schema and the SQL migrations in step", () => {
    const schema = fs.readFileSync(path.join(process.cwd(), "prisma/sqlite/schema.prisma"), "utf8");
    const sql = readMigrations(migrationsDir("sqlite")).map((m) => m.sql).join("\n");
    const models = [...schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)];
    expect(models.length).toBeGreaterThan(0);
    for (const [, model, body] of models) {
      expect(sql).toContain(`CREATE TABLE "${model}"`);
      for (const line of body.split("\n")) {
        const field = line.trim().match(/^(\w+)\s+(String|Int|Boolean|DateTime)\??/);
        if (field) expect(sql, `${model}.${field[1]}`).toContain(`"${field[1]}"`);
      }
    }
  });
});
