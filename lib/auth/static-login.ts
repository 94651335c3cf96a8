import { z } from "zod";
import type { Config } from "../config";
import { recordAnonymousFailure } from "../audit";
import { TRANSACTION_LIMITS, type Database } from "../db";
import { DomainError, fail, type ErrorParams } from "../errors";
import { createSession, type CurrentSession } from "../sessions/sessions";
import type { RequestInfo } from "../request/types";
import type { LoginInput } from "../validation/auth";
import { expectedKeyFor, keyFingerprint, keysMatch } from "./keys";
import { loginLimitKeys, takeLoginAttempt } from "./rate-limit";
import { generateId } from "../sessions/token";
import { recordLoginAttempt, type LoginResult as AttemptResult } from "../metrics/metrics";
import { withSpan } from "../tracing";
import { recordSignIn } from "./sign-in-span";
import { sessionJsonSchema } from "../sessions/present";
import { ROLES } from "./roles";

/** POST /api/auth/login's JSON answer (the cookie comes with it). */
export const loginAnswerSchema = z.object({
  user: z.object({ id: z.string(), username: z.string(), role: z.enum(ROLES) }),
  session: sessionJsonSchema,
});
export type LoginAnswer = z.infer<typeof loginAnswerSchema>;

type LoginFailure = "rate_limited" | "invalid_credentials" | "account_disabled" | "sso_account";

/** A refusal carries its code (for /login's URL) and the catalog's error (for the API). */
export type LoginResult =
  | { ok: true; token: string; persistent: boolean; session: CurrentSession; user: LoginAnswer["user"] }
  | { ok: false; code: LoginFailure; error: DomainError };

/** How the metrics count each refusal: a key refused for an SSO account is a wrong credential there. */
const ATTEMPT_RESULTS: Record<LoginFailure, AttemptResult> = {
  rate_limited: "rate_limited",
  invalid_credentials: "invalid",
  account_disabled: "disabled",
  sso_account: "invalid",
};

const refused = <C extends LoginFailure>(code: C, ...params: ErrorParams<C>): LoginResult => {
  recordLoginAttempt("static", ATTEMPT_RESULTS[code]);
  return { ok: false, code, error: fail(code, ...params) };
};

/**
 * Static-key sign-in. Admin usernames must present DASHBOARD_ADMIN_KEY; everyone else
 * DASHBOARD_KEY, so holding the shared key never grants admin.
 */
export function signInWithKey(db: Database, config: Config, input: LoginInput, request: RequestInfo, now = new Date()): Promise<LoginResult> {
  return withSpan("auth.sign_in", async (span) => {
    span?.setAttribute("auth.method", "static");
    const result = await keySignIn(db, config, input, request, now);
    if (span) recordSignIn(span, result);
    return result;
  });
}

async function keySignIn(db: Database, config: Config, input: LoginInput, request: RequestInfo, now: Date): Promise<LoginResult> {
  const limitKeys = loginLimitKeys(input.username, request.ip);
  const failed = (detail: string) =>
    recordAnonymousFailure(db, config, { username: input.username, authMethod: "static", ip: request.ip, userAgent: request.userAgent, detail, at: now });

  const attempt = await takeLoginAttempt(db, config, limitKeys, now);
  if (!attempt.allowed) {
    await failed("rate limited");
    return refused("rate_limited", { retryAfterSeconds: attempt.retryAfter });
  }

  const expected = expectedKeyFor(config, input.username);
  if (!keysMatch(input.key, expected.key)) {
    // Never the key typed; only which kind of key was expected.
    await failed(expected.admin ? "wrong admin key" : "wrong key");
    return refused("invalid_credentials");
  }

  // Checked only after the key matched, so a guesser learns nothing about the account.
  const existing = await db.prisma.user.findUnique({ where: { username: input.username }, select: { id: true, disabledAt: true, authSource: true } });
  // The shared key must not let its holders act as an SSO user (see and end their sessions).
  const closed = existing?.disabledAt ? "account_disabled" : existing?.authSource === "oidc" ? "sso_account" : null;
  if (closed) {
    // The key was right all the same: the attempt is given back.
    await db.prisma.$transaction(attempt.succeeded(db.prisma), TRANSACTION_LIMITS);
    await failed(closed === "account_disabled" ? "account disabled" : "SSO account: key sign-in refused");
    return refused(closed);
  }
  const role = expected.admin ? "admin" : "user";
  // An account's first sign-in creates it; its role and last sign-in are written with the session,
  // once createSession has held the row and found it still a key account (whoever created it).
  const user = existing
    ? { id: existing.id, username: input.username }
    : await db.prisma.user.upsert({
        where: { username: input.username },
        create: { id: generateId(), username: input.username, authSource: "static", role, lastLoginAt: now },
        // Not empty, so that PostgreSQL gets one INSERT … ON CONFLICT (Prisma's native upsert) and
        // two first sign-ins at once do not collide; the role waits for the hold (above).
        update: { lastLoginAt: now },
      });
  const created = await createSession(
    db,
    config,
    {
      userId: user.id,
      username: user.username,
      authMethod: "static",
      rememberMe: input.rememberMe,
      keyFingerprint: keyFingerprint(config.secrets[0], expected.key),
      commitWith: (client) => [...attempt.succeeded(client), client.user.update({ where: { id: user.id }, data: { role, lastLoginAt: now } })],
    },
    request,
    now,
  ).catch((error: unknown) => {
    // It was disabled, or became an SSO account, after the look above (createSession reads it
    // again under its hold).
    if (error instanceof DomainError && (error.code === "sso_account" || error.code === "account_disabled")) return error.code;
    throw error;
  });
  if (typeof created === "string") {
    // As above: the key was right, so the attempt is given back.
    await db.prisma.$transaction(attempt.succeeded(db.prisma), TRANSACTION_LIMITS);
    await failed(created === "account_disabled" ? "account disabled" : "SSO account: key sign-in refused");
    return refused(created);
  }
  const { token, session } = created;
  recordLoginAttempt("static", "ok");
  return {
    ok: true,
    token,
    persistent: input.rememberMe,
    session: { ...session, authMethod: "static" },
    user: { id: user.id, username: user.username, role } };
}
