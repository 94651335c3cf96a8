import { describe, expect, it, onTestFinished } from "vitest";
import { startTestIdp } from "../support/test-idp";
import { CLI_ACTOR } from "@/lib/actor";
import { encodeSessionCookie } from "@/lib/sessions/cookie";
import { signInWithKey } from "@/lib/auth/static-login";
import { signInSsoUser, type SsoClaims, type SsoSignInResult } from "@/lib/auth/sso-identity";
import type { Config } from "@/lib/config";
import { createSession, validateSessionCookie } from "@/lib/sessions/sessions";
import { ADMIN_KEY, USER_KEY, request, signIn, tempDatabase, testConfig } from "./helpers";

const ISSUER = "https://id.example.test";
const oidcEnv = {
  DASHBOARD_OIDC_ISSUER: ISSUER,
  DASHBOARD_OIDC_CLIENT_ID: "sessionboard",
  DASHBOARD_OIDC_ADMIN_GROUP: "sessionboard-admins",
};
const cookieOf = (config: Config, result: { token: string }) => encodeSessionCookie(config, { token: result.token, persistent: false });
const claims = (sub: string, extra: Partial<SsoClaims> = {}): SsoClaims => ({ iss: ISSUER, sub, ...extra });

async function setup(env: Record<string, string> = {}) {
  const { db, env: dbEnv } = await tempDatabase();
  const config = testConfig({ ...dbEnv, ...oidcEnv, ...env });
  const oidc = config.oidc;
  if (!oidc) throw new Error("OIDC not configured");
  const signInSso = (c: SsoClaims) => signInSsoUser(db, config, oidc, c, { rememberMe: false }, request);
  return { db, config, signInSso };
}

describe("an SSO identity is its issuer and subject", () => {
  it("preferred_username naming a static admin neither links to that account nor makes an admin", async () => {
    const { db, config, signInSso } = await setup();
    const root = await signIn(db, config, "root", ADMIN_KEY);
    const result = await signInSso(claims("mallory-sub", { preferred_username: "ROOT" }));
    if (!result.ok) throw new Error(result.code);
    expect(result.user.username).not.toBe("root");
    expect(result.user.id).not.toBe(root.user.id);
    const check = await validateSessionCookie(db, config, cookieOf(config, result), request);
    expect(check).toMatchObject({ status: "active", user: { role: "user" } });
    // The real admin keeps their account and key.
    expect(await signInWithKey(db, config, { username: "root", key: ADMIN_KEY, rememberMe: false }, request)).toMatchObject({ ok: true });
    const conflict = await db.prisma.authEvent.findFirst({ where: { type: "sso.username_conflict" } });
    expect(conflict).toMatchObject({ username: result.user.username, authMethod: "oidc" });
    expect(conflict?.detail).toContain('"root"');
  });

  it("a key session is never written for an SSO account, whatever the sign-in read before (an SSO sign-in or a link in between)", async () => {
    const { db, config, signInSso } = await setup();
    const sso = await signInSso(claims("dave-sub", { preferred_username: "dave" }));
    if (!sso.ok) throw new Error(sso.code);
    // What a key sign-in that found no account "dave", or a key account, goes on to write.
    const keySession = { userId: sso.user.id, username: "dave", authMethod: "static" as const, rememberMe: false, keyFingerprint: "fp" };
    await expect(createSession(db, config, keySession, request)).rejects.toMatchObject({ code: "sso_account", status: 403 });
    expect(await db.prisma.session.count({ where: { userId: sso.user.id, authMethod: "static" } })).toBe(0);
  });

  it("a name reserved in DASHBOARD_ADMINS is never taken, even before its admin ever signed in", async () => {
    const { db, signInSso } = await setup();
    const result = await signInSso(claims("sub-1", { preferred_username: "admin" }));
    if (!result.ok) throw new Error(result.code);
    expect(result.user.username).toMatch(/^admin-[0-9a-f]{6}$/);
    expect(await db.prisma.user.findUnique({ where: { username: "admin" } })).toBeNull();
  });

  it("a key user's name is never taken over; the key user keeps signing in", async () => {
    const { db, config, signInSso } = await setup();
    const alice = await signIn(db, config, "alice", USER_KEY);
    const result = await signInSso(claims("other-sub", { preferred_username: "alice" }));
    if (!result.ok) throw new Error(result.code);
    expect(result.user.id).not.toBe(alice.user.id);
    expect(result.user.username).toMatch(/^alice-[0-9a-f]{6}$/);
    expect(await signInWithKey(db, config, { username: "alice", key: USER_KEY, rememberMe: false }, request)).toMatchObject({ ok: true });
  });

  it("the same subject always lands in the same account, whatever name it claims later", async () => {
    const { signInSso } = await setup();
    const first = await signInSso(claims("stable-sub", { preferred_username: "carol" }));
    const second = await signInSso(claims("stable-sub", { preferred_username: "someone-else" }));
    if (!first.ok || !second.ok) throw new Error("sign-in failed");
    expect(second.user).toEqual(first.user);
    expect(first.user.username).toBe("carol");
  });

  it("a sign-in whose session cannot be written leaves the account's profile and role as they were", async () => {
    const { db, signInSso } = await setup();
    const first = await signInSso(claims("erin-sub", { preferred_username: "erin", name: "Erin" }));
    if (!first.ok) throw new Error(first.code);
    const before = await db.prisma.user.findUniqueOrThrow({ where: { id: first.user.id } });
    if (db.backend === "postgres") {
      await db.prisma.$executeRawUnsafe(`CREATE FUNCTION refuse_session() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`);
      await db.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_session BEFORE INSERT ON "Session" FOR EACH ROW EXECUTE FUNCTION refuse_session()`);
    } else {
      await db.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_session BEFORE INSERT ON "Session" BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    }
    await expect(signInSso(claims("erin-sub", { name: "Erin Renamed", groups: ["sessionboard-admins"] }))).rejects.toThrow();
    expect(await db.prisma.user.findUniqueOrThrow({ where: { id: first.user.id } })).toEqual(before);
  });

  it("another subject claiming a taken SSO name gets its own account", async () => {
    const { signInSso } = await setup();
    const first = await signInSso(claims("sub-a", { preferred_username: "dave" }));
    const second = await signInSso(claims("sub-b", { preferred_username: "dave" }));
    if (!first.ok || !second.ok) throw new Error("sign-in failed");
    expect(second.user.id).not.toBe(first.user.id);
    expect(second.user.username).toMatch(/^dave-[0-9a-f]{6}$/);
  });

  it("a name or email with control characters (NUL, which PostgreSQL refuses) is stored cleaned, and the sign-in goes through", async () => {
    const { db, signInSso } = await setup();
    const result = await signInSso(claims("sub-nul", { name: "Zoë\u0000 Müller\n", email: "zoe@example.test\u0000", email_verified: true }));
    if (!result.ok) throw new Error(result.code);
    const user = await db.prisma.user.findUniqueOrThrow({ where: { id: result.user.id } });
    expect({ displayName: user.displayName, email: user.email }).toEqual({ displayName: "Zoë Müller", email: "zoe@example.test" });
  });

  it("a verified email is stored only when it is one address: international ones are, lists and display names are not", async () => {
    const { db, signInSso } = await setup();
    const stored = async (sub: string, email: string) => {
      const result = await signInSso(claims(sub, { email, email_verified: true }));
      if (!result.ok) throw new Error(result.code);
      return (await db.prisma.user.findUniqueOrThrow({ where: { id: result.user.id } })).email;
    };
    expect(await stored("sub-idn", "zoë@bücher.example")).toBe("zoë@bücher.example");
    expect(await stored("sub-list", "a@example.test, b@evil.example")).toBeNull();
    expect(await stored("sub-named", "Eve <eve@evil.example>")).toBeNull();
    expect(await stored("sub-two-at", "a@b@example.test")).toBeNull();
  });

  it("an unverified email is neither a username nor an admin name, and is not stored", async () => {
    const { db, config, signInSso } = await setup({ DASHBOARD_ADMINS: "root,boss@example.test" });
    const result = await signInSso(claims("sub-unverified", { email: "boss@example.test", email_verified: false }));
    if (!result.ok) throw new Error(result.code);
    expect(result.user.username).not.toBe("boss@example.test");
    const user = await db.prisma.user.findUniqueOrThrow({ where: { id: result.user.id } });
    expect(user.email).toBeNull();
    const check = await validateSessionCookie(db, config, cookieOf(config, result), request);
    expect(check).toMatchObject({ status: "active", user: { role: "user" } });

    const verified = await signInSso(claims("sub-verified", { email: "Erin@Example.test", email_verified: true }));
    if (!verified.ok) throw new Error(verified.code);
    expect(verified.user.username).toBe("erin@example.test");
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: verified.user.id } })).email).toBe("Erin@Example.test");
  });

  it("admin comes from the admin group claim or an oidc:<sub> entry, never from a name", async () => {
    const { db, config, signInSso } = await setup({ DASHBOARD_ADMINS: "root,frank,oidc:Sub-Of-Grace" });
    const frank = await signInSso(claims("frank-sub", { preferred_username: "frank" }));
    const grace = await signInSso(claims("Sub-Of-Grace", { preferred_username: "grace" }));
    const group = await signInSso(claims("heidi-sub", { preferred_username: "heidi", groups: ["sessionboard-admins"] }));
    if (!frank.ok || !grace.ok || !group.ok) throw new Error("sign-in failed");
    const role = async (r: SsoSignInResult) => {
      if (!r.ok) throw new Error("sign-in failed");
      const check = await validateSessionCookie(db, config, cookieOf(config, r), request);
      return check.status === "active" ? check.user.role : check.status;
    };
    expect(await role(frank)).toBe("user");
    expect(await role(grace)).toBe("admin");
    expect(await role(group)).toBe("admin");
    // Subjects are case-sensitive: a differently cased subject is someone else.
    const impostor = await signInSso(claims("sub-of-grace", { preferred_username: "grace2" }));
    expect(await role(impostor)).toBe("user");
  });

  it("an oidc:<sub> entry names the configured issuer's subject: the same subject at an issuer configured before is not admin by it", async () => {
    const { db, env: dbEnv } = await tempDatabase();
    const before = testConfig({ ...dbEnv, ...oidcEnv, DASHBOARD_OIDC_ISSUER: "https://old-id.example.test" });
    if (!before.oidc) throw new Error("OIDC not configured");
    const signedIn = await signInSsoUser(db, before, before.oidc, { iss: "https://old-id.example.test", sub: "42" }, { rememberMe: false }, request);
    if (!signedIn.ok) throw new Error(signedIn.code);
    const role = async (config: Config) => {
      const check = await validateSessionCookie(db, config, cookieOf(config, signedIn), request);
      return check.status === "active" ? check.user.role : check.status;
    };
    // Now the configured issuer is another, whose subject 42 is an admin: not this account's 42.
    expect(await role(testConfig({ ...dbEnv, ...oidcEnv, DASHBOARD_ADMINS: "oidc:42" }))).toBe("user");
    // The issuer it was bound to, written with or without a trailing slash, is its own.
    expect(await role(testConfig({ ...dbEnv, ...oidcEnv, DASHBOARD_OIDC_ISSUER: "https://old-id.example.test", DASHBOARD_ADMINS: "oidc:42" }))).toBe("admin");
    expect(await role(testConfig({ ...dbEnv, ...oidcEnv, DASHBOARD_OIDC_ISSUER: "https://old-id.example.test/", DASHBOARD_ADMINS: "oidc:42" }))).toBe("admin");
    expect(await role(testConfig({ ...dbEnv, ...oidcEnv, DASHBOARD_OIDC_ISSUER: "https://OLD-ID.example.test:443", DASHBOARD_ADMINS: "oidc:42" }))).toBe("admin");
  });

  it("the admin group's word is the configured issuer's: an account in it at an issuer configured before is not admin by it", async () => {
    const { db, env: dbEnv } = await tempDatabase();
    const before = testConfig({ ...dbEnv, ...oidcEnv, DASHBOARD_OIDC_ISSUER: "https://old-id.example.test" });
    if (!before.oidc) throw new Error("OIDC not configured");
    const claimsThen = { iss: "https://old-id.example.test", sub: "43", groups: ["sessionboard-admins"] };
    const signedIn = await signInSsoUser(db, before, before.oidc, claimsThen, { rememberMe: false }, request);
    if (!signedIn.ok) throw new Error(signedIn.code);
    const role = async (config: Config) => {
      const check = await validateSessionCookie(db, config, cookieOf(config, signedIn), request);
      return check.status === "active" ? check.user.role : check.status;
    };
    expect(await role(before)).toBe("admin");
    expect(await role(testConfig({ ...dbEnv, ...oidcEnv }))).toBe("user");
    expect(await role(testConfig({ ...dbEnv, ...oidcEnv, DASHBOARD_OIDC_ISSUER: "https://old-id.example.test/" }))).toBe("admin");
  });

  it("linked again to another subject, the account's sessions of the subject before end: the account is no longer theirs", async () => {
    const idp = await startTestIdp();
    onTestFinished(() => idp.stop());
    const { db, config, signInSso } = await setup({ DASHBOARD_OIDC_ISSUER: idp.issuer });
    const { linkUserToSsoSubject } = await import("@/lib/auth/sso-identity");
    const oidc = config.oidc;
    if (!oidc) throw new Error("OIDC not configured");
    await signIn(db, config, "judy", USER_KEY);
    expect(await linkUserToSsoSubject(db, oidc, "judy", "judy-old", CLI_ACTOR, request)).toMatchObject({ sessionsEnded: 1 });
    const before = await signInSso({ iss: idp.issuer, sub: "judy-old" });
    if (!before.ok) throw new Error(before.code);
    // The same link again changes nothing.
    expect(await linkUserToSsoSubject(db, oidc, "judy", "judy-old", CLI_ACTOR, request)).toMatchObject({ sessionsEnded: 0 });
    expect(await validateSessionCookie(db, config, cookieOf(config, before), request)).toMatchObject({ status: "active" });

    expect(await linkUserToSsoSubject(db, oidc, "judy", "judy-new", CLI_ACTOR, request)).toMatchObject({ sessionsEnded: 1 });
    expect(await validateSessionCookie(db, config, cookieOf(config, before), request)).toEqual({ status: "ended", reason: "revoked" });
    expect((await db.prisma.authEvent.findMany({ where: { type: "user.sso_linked" } })).map((e) => e.detail).sort()).toEqual([
      `linked to subject judy-new at ${idp.issuer} (was subject judy-old at ${idp.issuer})`,
      `linked to subject judy-old at ${idp.issuer}`,
      `linked to subject judy-old at ${idp.issuer}`,
    ]);
    const after = await signInSso({ iss: idp.issuer, sub: "judy-new" });
    expect(after).toMatchObject({ ok: true, user: { username: "judy" } });
    // A sign-in of the subject before that looked the account up before the link writes no session after it.
    const late = { userId: before.user.id, username: "judy", authMethod: "oidc" as const, rememberMe: false, keyFingerprint: null, identity: { issuer: idp.issuer, subject: "judy-old" } };
    await expect(createSession(db, config, late, request)).rejects.toMatchObject({ code: "sso_account_conflict" });
  });

  it("an operator-linked key user is the account that subject signs in to", async () => {
    const idp = await startTestIdp();
    onTestFinished(() => idp.stop());
    // Written with a trailing slash the provider's issuer does not have: discovery accepts it, and
    // the link must still name the issuer the provider's tokens carry.
    const { db, config, signInSso } = await setup({ DASHBOARD_OIDC_ISSUER: `${idp.issuer}/` });
    const ivan = await signIn(db, config, "ivan", USER_KEY);
    const { linkUserToSsoSubject } = await import("@/lib/auth/sso-identity");
    const oidc = config.oidc;
    if (!oidc) throw new Error("OIDC not configured");
    expect(await linkUserToSsoSubject(db, oidc, "ivan", "ivan-sub", CLI_ACTOR, request)).toMatchObject({ username: "ivan", sessionsEnded: 1 });
    // The key's sessions end with it: holding the key is no way into an SSO account, nor is a cookie it got.
    expect(await validateSessionCookie(db, config, ivan.cookie, request)).toEqual({ status: "ended", reason: "revoked" });
    const result = await signInSso({ iss: idp.issuer, sub: "ivan-sub", preferred_username: "whatever" });
    if (!result.ok) throw new Error(result.code);
    expect(result.user).toEqual({ id: ivan.user.id, username: "ivan" });
    expect(await db.prisma.authEvent.findFirst({ where: { type: "user.sso_linked" } })).toMatchObject({ username: "ivan", actor: "cli" });
    // From then on the shared key no longer signs in as ivan.
    expect(await signInWithKey(db, config, { username: "ivan", key: USER_KEY, rememberMe: false }, request)).toMatchObject({ code: "sso_account" });
  });
});
