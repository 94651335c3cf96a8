import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { Alert, buttonClass, fieldClass } from "@/components/ui";
import { getConfig } from "@/lib/config";
import { identityProviderLogoutPath } from "@/lib/auth/oidc";
import { safeReturnPath } from "@/lib/request/return-path";
import { noticeCookieName, readNotice } from "@/lib/notice";
import { loginErrorCookieName, loginErrorHolds } from "@/lib/auth/login-error";
import { pageMessage } from "@/lib/errors";
import { getCurrentSession } from "@/lib/http/page";
import { USERNAME_CHARACTERS, USERNAME_MAX_LENGTH, USERNAME_PATTERN } from "@/lib/validation/username";

export const metadata: Metadata = { title: "Sign in" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** The catalog's wording; a form that did not validate is told what the fields take. */
function errorMessage(code: string | undefined, retryAfter: string | undefined): string | null {
  if (code === "invalid_input") return `Enter a username (${USERNAME_CHARACTERS}, up to ${USERNAME_MAX_LENGTH} characters) and your key.`;
  return pageMessage(code, { retryAfterSeconds: retryAfter === undefined ? undefined : Number(retryAfter) });
}

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const next = safeReturnPath(one(params.next));
  const check = await getCurrentSession();
  if (check.status === "active") redirect(next);

  const config = getConfig();
  const jar = await cookies();
  const notice = await readNotice(config, jar.get(noticeCookieName(config))?.value);
  // Said only when this browser's sign-in failed so (lib/auth/login-error.ts): a link cannot.
  const code = one(params.error);
  const retryAfter = one(params.retryAfter);
  const failed = code !== undefined && loginErrorHolds(config, jar.get(loginErrorCookieName(config))?.value, code, retryAfter) ? code : undefined;
  const error = errorMessage(failed, retryAfter);
  // A wrong key: the form comes back with the username filled in, and the key field (focused, marked
  // invalid) is described by the message, so a screen reader says why when it gets there.
  const wrongKey = failed === "invalid_credentials";
  // Any other failure (a limit, a bad username, single sign-on): the username field, where a new try
  // starts, takes the focus and is described by the message, so it is read out after a full page load.
  const otherFailure = Boolean(error) && !wrongKey;
  const signedOut = one(params.signedOut) === "1" || one(params.signedOut) === "sso";
  const offerIdpLogout = one(params.signedOut) === "sso" && config.oidc !== null;

  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm space-y-6">
        <div className="text-center">
          <p className="text-lg font-semibold tracking-tight text-slate-900">Sessionboard</p>
          <h1 className="mt-2 text-2xl font-semibold tracking-tight">Sign in</h1>
        </div>
        {notice && <Alert tone="warning">{notice}</Alert>}
        {signedOut && !notice && (
          <Alert tone="info">
            You have signed out.
            {offerIdpLogout && (
              <>
                {" "}
                {/* A redirect to the identity provider, not a page: a plain link, never prefetched. It carries the sealed ID token for id_token_hint. */}
                <a href={identityProviderLogoutPath(one(params.hint) ?? null)} className="font-medium underline">
                  Also sign out of your identity provider
                </a>
              </>
            )}
          </Alert>
        )}
        {error && (
          <Alert tone="error" id="login-error">
            {error}
          </Alert>
        )}
        <form
          action="/api/auth/login"
          method="post"
          aria-label="Sign in with a key"
          aria-describedby={error ? "login-error" : undefined}
          className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <input type="hidden" name="next" value={next} />
          <div>
            <label htmlFor="username" className="block text-sm font-medium text-slate-800">
              Username
            </label>
            <input
              id="username"
              name="username"
              required
              maxLength={USERNAME_MAX_LENGTH}
              pattern={USERNAME_PATTERN}
              title={`Use ${USERNAME_CHARACTERS}`}
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              defaultValue={one(params.username) ?? ""}
              autoFocus={otherFailure}
              aria-invalid={failed === "invalid_input" || undefined}
              aria-describedby={otherFailure ? "login-error" : undefined}
              className={`mt-1 ${fieldClass}`}
            />
          </div>
          <div>
            <label htmlFor="key" className="block text-sm font-medium text-slate-800">
              Key
            </label>
            <input
              id="key"
              name="key"
              type="password"
              required
              maxLength={1024}
              autoComplete="current-password"
              autoFocus={wrongKey}
              aria-invalid={wrongKey || undefined}
              aria-describedby={wrongKey ? "login-error" : undefined}
              className={`mt-1 ${fieldClass}`}
            />
          </div>
          <div className="flex items-start gap-2">
            <input id="rememberMe" name="rememberMe" type="checkbox" className="mt-0.5 size-4 rounded border-slate-300" />
            <label htmlFor="rememberMe" className="text-sm text-slate-700">
              Remember me
              <span className="block text-xs text-slate-500">Stay signed in on this device after the browser closes.</span>
            </label>
          </div>
          <button type="submit" className={`${buttonClass.primary} w-full`}>
            Sign in
          </button>
        </form>
        {config.oidc && (
          <form action="/api/auth/oidc/login" method="post" className="space-y-3 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-label="Single sign-on">
            <input type="hidden" name="next" value={next} />
            {/* Before its button, as in the key form: the option is met before what it changes. */}
            <div className="flex items-center gap-2">
              <input id="rememberMeSso" name="rememberMe" type="checkbox" className="size-4 rounded border-slate-300" />
              <label htmlFor="rememberMeSso" className="text-sm text-slate-700">
                Remember me on this device
              </label>
            </div>
            <button type="submit" className={`${buttonClass.secondary} w-full`}>
              Sign in with SSO
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
