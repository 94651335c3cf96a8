import type { Config } from "../config";
import { recordAnonymousFailure } from "../audit";
import type { Database } from "../db";
import { createSession, type CurrentSession, type RequestInfo } from "../sessions/sessions";
import { END_REASONS } from "../sessions/end-reasons";
import type { LoginInput } from "../validation/auth";
import { expectedKeyFor, keyFingerprint, keysMatch } from "./keys";
import { takeLoginAttempt, type LoginLimitKey } from "./rate-limit";
import { generateId } from "./token";

export type LoginResult =
  | { ok: true; token: string; persistent: boolean; session: CurrentSession; user: { id: string; username: string; role: "admin" | "user" } }
  | { ok: false; code: "rate_limited"; message: string; retryAfter: number }
  | { ok: false; code: "invalid_credentials"; message: string }
  | { ok: false; code: "account_disabled" | "sso_account"; message: string };

const INVALID = "Invalid username or key";
export const RATE_LIMITED = "Too many failed sign-in attempts. Try again later.";
export const SSO_ACCOUNT = "This account signs in with single sign-on. Use “Sign in with SSO”.";

/**
 * Static-key sign-in. Admin usernames must present DASHBOARD_ADMIN_KEY; everyone else
 * DASHBOARD_KEY, so holding the shared key never grants admin.
 */
export async function signInWithKey(
  db: Database,
  config: Config,
  input: LoginInput,
  request: RequestInfo,
  now = new Date(),
): Promise<LoginResult> {
  const limitKeys: LoginLimitKey[] = [{ kind: "user", value: input.username }];
  if (request.ip) limitKeys.push({ kind: "ip", value: request.ip });
  const failed = (detail: string) =>
    recordAnonymousFailure(db, config, { username: input.username, authMethod: "static", ip: request.ip, userAgent: request.userAgent, detail, at: now });

  const attempt = await takeLoginAttempt(db, config, limitKeys, now);
  if (!attempt.allowed) {
    await failed("rate limited");
    return { ok: false, code: "rate_limited", message: RATE_LIMITED, retryAfter: attempt.retryAfter };
  }

  const expected = expectedKeyFor(config, input.username);
  if (!keysMatch(input.key, expected.key)) {
    // Never the key typed; only which kind of key was expected.
    await failed(expected.admin ? "wrong admin key" : "wrong key");
    return { ok: false, code: "invalid_credentials", message: INVALID };
  }

  await attempt.succeeded();
  // Checked only after the key matched, so a guesser learns nothing about the account.
  const existing = await db.prisma.user.findUnique({ where: { username: input.username }, select: { disabledAt: true, authSource: true } });
  if (existing?.disabledAt) {
    await failed("account disabled");
    return { ok: false, code: "account_disabled", message: END_REASONS.disabled };
  }
  // The shared key must not let its holders act as an SSO user (see and end their sessions).
  if (existing?.authSource === "oidc") {
    await failed("SSO account: key sign-in refused");
    return { ok: false, code: "sso_account", message: SSO_ACCOUNT };
  }
  const role = expected.admin ? "admin" : "user";
  const user = await db.prisma.user.upsert({
    where: { username: input.username },
    create: { id: generateId(), username: input.username, authSource: "static", role, lastLoginAt: now },
    update: { role, lastLoginAt: now },
  });
  const { token, session } = await createSession(
    db,
    config,
    {
      userId: user.id,
      username: user.username,
      authMethod: "static",
      rememberMe: input.rememberMe,
      keyFingerprint: keyFingerprint(config.secrets[0], expected.key),
    },
    request,
    now,
  );
  return {
    ok: true,
    token,
    persistent: input.rememberMe,
    session: { ...session, authMethod: "static" },
    user: { id: user.id, username: user.username, role } };
}
