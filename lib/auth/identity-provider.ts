import { errors as joseErrors } from "jose";
import * as client from "openid-client";
import { DomainError, errorMessage } from "../errors";
import { withSpan } from "../tracing";

/**
 * The identity provider could not be asked: not reachable, no answer in time, a server error, or
 * (at discovery, or for its JWKS) no usable answer. Only the SSO routes meet it; the API answers 503
 * `sso_unavailable`, and it has nothing to do with the database. `detail` is for the operator.
 */
export class IdentityProviderUnavailableError extends DomainError {
  override readonly name = "IdentityProviderUnavailableError";

  constructor(
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super("sso_unavailable", errorMessage("sso_unavailable"));
    if (options) this.cause = options.cause;
  }
}

/** What openid-client and jose pass to their fetch (a body typed as Uint8Array<ArrayBufferLike>, say). */
type FetchOptions = Omit<RequestInit, "body"> & { body?: unknown };

/**
 * The fetch used for every request to the identity provider (discovery, token endpoint, JWKS):
 * a request that fails to connect or times out, or a 5xx, 408 or 429 answer, is classified here, where it
 * happens, rather than leaving a bare "fetch failed" (ECONNREFUSED…) for someone to guess at.
 */
export function identityProviderFetch(url: string, init?: FetchOptions): Promise<Response> {
  return withSpan(
    "idp.request",
    async (span) => {
      if (span) {
        // Where, not what: the query and body can carry the code, the client secret or tokens.
        const target = new URL(url);
        span.setAttribute("http.request.method", init?.method ?? "GET");
        span.setAttribute("server.address", target.hostname);
        span.setAttribute("url.path", target.pathname);
      }
      const response = await askIdentityProvider(url, init);
      span?.setAttribute("http.response.status_code", response.status);
      return response;
    },
    { kind: "client" },
  );
}

async function askIdentityProvider(url: string, init?: FetchOptions): Promise<Response> {
  let response: Response;
  try {
    // The libraries pass bodies fetch accepts; their declared types differ slightly from the DOM's.
    response = await fetch(url, init as RequestInit);
  } catch (error) {
    throw new IdentityProviderUnavailableError(`${new URL(url).origin} did not answer (${describe(error)})`, { cause: error });
  }
  // A 5xx, and 408 and 429, which ask to come back later: not an answer about the request.
  if (response.status >= 500 || response.status === 408 || response.status === 429) {
    await response.body?.cancel().catch(() => undefined);
    throw new IdentityProviderUnavailableError(`${new URL(url).origin} answered ${response.status}`);
  }
  return response;
}

/**
 * The fetch for the provider's JWKS. A logout token can only be checked against those keys, so an
 * answer that is no key set (a 404, a login page) leaves them out of reach as no answer would: the
 * provider's failure, not a forged token. jose would only say "Expected 200 OK".
 */
export async function identityProviderJwksFetch(url: string, init?: FetchOptions): Promise<Response> {
  const response = await identityProviderFetch(url, init);
  const where = `${new URL(url).origin}${new URL(url).pathname}`;
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new IdentityProviderUnavailableError(`its JWKS ${where} answered ${response.status}`);
  }
  let body: string;
  try {
    body = await response.text();
    JSON.parse(body);
  } catch (error) {
    throw new IdentityProviderUnavailableError(`its JWKS ${where} answered no JSON (${describe(error)})`, { cause: error });
  }
  return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
}

/** openid-client's codes for an answer that is no OAuth answer (not JSON, cut short, not the shape asked for). */
const NO_OAUTH_ANSWER = new Set(["OAUTH_RESPONSE_IS_NOT_JSON", "OAUTH_PARSE_ERROR", "OAUTH_RESPONSE_IS_NOT_CONFORM"]);
/** OAuth error codes that say the provider cannot answer now (RFC 6749 §5.2 and §4.1.2.1, RFC 8628 §3.5). */
const LATER = new Set(["temporarily_unavailable", "server_error", "slow_down"]);
/** Whether an OAuth error code says the provider cannot answer now (an outage, not a refusal). */
export const providerAsksLater = (code: string) => LATER.has(code);

/**
 * The provider failure behind `error`, if that is what it is: an outage, which waiting may end.
 * openid-client wraps whatever the fetch threw (ClientError "something went wrong", cause: …), so
 * the cause chain is searched.
 */
export function identityProviderFailure(error: unknown): IdentityProviderUnavailableError | null {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof IdentityProviderUnavailableError) return current;
    // Its JWKS answered JSON that is no key set (see identityProviderJwksFetch).
    if (current instanceof joseErrors.JWKSInvalid) return new IdentityProviderUnavailableError(`its JWKS is not a JSON Web Key Set (${current.message})`, { cause: current });
    // The answer began but did not finish in time (reading its body), past identityProviderFetch.
    if (current.name === "TimeoutError") return new IdentityProviderUnavailableError(`no complete answer in time (${current.message})`, { cause: current });
    // An answer that is no OAuth answer at all (a proxy's HTML page, a body cut short), or one that
    // says to come back later: what an outage looks like from here, not a refusal.
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NO_OAUTH_ANSWER.has(code)) return new IdentityProviderUnavailableError(`no usable answer (${code}: ${current.message})`, { cause: current });
    if (current instanceof client.ResponseBodyError && providerAsksLater(current.error)) return new IdentityProviderUnavailableError(`it asked to come back later (${current.error})`, { cause: current });
    current = current.cause;
  }
  return null;
}

/**
 * What the provider said, when it answered and did not confirm: an OAuth error (invalid_grant,
 * invalid_client, unauthorized_client…), or an answer that is not what was asked for (an unexpected
 * status, an ID token that fails validation). Unlike an outage, waiting does not change it. null for
 * an outage (identityProviderFailure) and for an error that is not the provider's doing.
 */
export function identityProviderRefusal(error: unknown): string | null {
  if (identityProviderFailure(error)) return null;
  if (error instanceof client.ResponseBodyError) return error.error_description ? `${error.error}: ${error.error_description}` : error.error;
  if (error instanceof client.WWWAuthenticateChallengeError) return `${error.status}: ${error.message}`;
  // Coded: openid-client's verdict on the answer. Uncoded ("something went wrong") wraps an error of ours.
  if (error instanceof client.ClientError && error.code !== undefined) return `${error.message} (${error.code})`;
  return null;
}

function describe(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
