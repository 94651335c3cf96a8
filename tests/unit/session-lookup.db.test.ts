import { describe, expect, it } from "vitest";
import { hashSessionToken } from "@/lib/sessions/token";
import { TEST_BACKEND, USER_KEY, signIn, tempDatabase, testConfig } from "./helpers";

const T0 = new Date("2026-12-01T10:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe("the session check's own read (Database.findSessionByTokenHash)", () => {
  it("gives every column as Prisma reads it: times as Dates, nulls as null, the user and the force logout in progress", async () => {
    const { db } = await tempDatabase();
    const config = testConfig();
    const { token, session } = await signIn(db, config, "grace", USER_KEY, true, { ip: "203.0.113.9", userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0" }, T0);
    // Every nullable column filled, so none is read back as null by mistake.
    await db.prisma.session.update({
      where: { id: session.id },
      data: {
        country: "DE", city: "Berlin", revokedAt: at(50), revokedBy: "root", revokeReason: "lost laptop", endReason: "revoked",
        lastIpAddress: "198.51.100.2", lastUserAgent: "curl/8.5", lastActiveAt: at(40), expiresAt: at(3600), absoluteExpiresAt: at(7200),
      },
    });
    await db.prisma.user.update({ where: { id: session.userId }, data: { displayName: "Grace H.", email: "grace@example.test", disabledAt: at(60), oidcIssuer: "https://id.example.test", oidcSubject: "sub-123" } });
    await db.prisma.forceLogoutCutoff.create({ data: { id: 1, at: at(70), keepSessionId: null, revokedBy: "root", revokeReason: "incident", endReason: "revoked_all" } });
    if (TEST_BACKEND === "postgres") {
      // Written by SQL, a time keeps microseconds; Prisma reads it to the millisecond, as must the check.
      await db.prisma.$executeRawUnsafe(`UPDATE "Session" SET "authenticatedAt" = '2026-12-01T10:00:30.123456Z' WHERE "id" = $1`, session.id);
    }

    const found = await db.findSessionByTokenHash(hashSessionToken(token));
    const { user, ...row } = await db.prisma.session.findUniqueOrThrow({ where: { id: session.id }, include: { user: true } });
    const cutoff = await db.prisma.forceLogoutCutoff.findUniqueOrThrow({ where: { id: 1 } });
    expect(found).toEqual({
      id: row.id, userId: row.userId, tokenHash: row.tokenHash, tokenHint: row.tokenHint, authMethod: "static", ipAddress: row.ipAddress, country: "DE", city: "Berlin",
      userAgent: row.userAgent, rememberMe: true, keyFingerprint: row.keyFingerprint, createdAt: row.createdAt, authenticatedAt: row.authenticatedAt,
      lastActiveAt: at(40), expiresAt: at(3600), absoluteExpiresAt: at(7200), revokedAt: at(50), revokedBy: "root", revokeReason: "lost laptop",
      endReason: "revoked", lastIpAddress: "198.51.100.2", lastUserAgent: "curl/8.5",
      user: { id: user.id, username: "grace", displayName: "Grace H.", email: "grace@example.test", role: user.role, disabledAt: at(60), oidcIssuer: "https://id.example.test", oidcSubject: "sub-123" },
      forceLogout: { at: cutoff.at, keepSessionId: null, revokedBy: "root", revokeReason: "incident", endReason: "revoked_all" },
    });
    for (const time of [found?.createdAt, found?.authenticatedAt, found?.revokedAt, found?.user.disabledAt, found?.forceLogout?.at]) expect(time).toBeInstanceOf(Date);
    if (TEST_BACKEND === "postgres") expect(found?.authenticatedAt).toEqual(new Date("2026-12-01T10:00:30.123Z"));
  });

  it("answers null for a token it does not know", async () => {
    const { db } = await tempDatabase();
    await expect(db.findSessionByTokenHash(hashSessionToken("no-such-token"))).resolves.toBeNull();
  });
});
