import { DomainError, errorMessage } from "../errors";
import { withSpan } from "../tracing";

/**
 * The identity provider could not be asked: not reachable, no answer in time, a server error, or
 * (at discovery) no usable configuration. Only the SSO routes meet it; the API answers 503
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
 * a request that fails to connect or times out, or a 5xx answer, is classified here, where it
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
  if (response.status >= 500) {
    await response.body?.cancel().catch(() => undefined);
    throw new IdentityProviderUnavailableError(`${new URL(url).origin} answered ${response.status}`);
  }
  return response;
}

/**
 * The provider failure behind `error`, if that is what it is. openid-client wraps whatever the
 * fetch threw (ClientError "something went wrong", cause: …), so the cause chain is searched.
 */
export function identityProviderFailure(error: unknown): IdentityProviderUnavailableError | null {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof IdentityProviderUnavailableError) return current;
    current = current.cause;
  }
  return null;
}

function describe(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
