import * as client from "openid-client";
import type { OidcConfig } from "../config";
import { withSpan } from "../tracing";
import { identityProviderFailure, identityProviderFetch, IdentityProviderUnavailableError } from "./identity-provider";

/** A failed discovery is retried after this long, so an IdP that comes back is picked up. */
const DISCOVERY_RETRY_MS = 30_000;

type Discovery = { key: string; at: number; promise: Promise<client.Configuration> };
/** The outcome of the last discovery this process made (the Admin Panel's SSO status). */
export type DiscoveryStatus = { ok: boolean; at: Date; detail: string | null };
/** The status is plain data, shared by the whole process (route handlers and pages are bundled apart). */
const holder = globalThis as unknown as { sessionboardOidcStatus?: DiscoveryStatus };
/**
 * The discovery itself is kept per copy of this module: its promise rejects with this copy's error
 * classes, which another bundle's instanceof checks would not recognise (a provider that is down
 * would read as a bug there). Each bundle discovers once.
 */
let discovered: Discovery | undefined;

export const lastDiscovery = (): DiscoveryStatus | null => holder.sessionboardOidcStatus ?? null;

/**
 * The provider's configuration, discovered once (openid-client 6). A provider that is down makes
 * this reject with IdentityProviderUnavailableError — never the app's start-up — and it is asked
 * again after DISCOVERY_RETRY_MS.
 */
export function oidcClient(oidc: OidcConfig): Promise<client.Configuration> {
  const key = `${oidc.issuer}|${oidc.clientId}`;
  const cached = discovered;
  if (cached && cached.key === key) return cached.promise;
  const promise = withSpan("idp.discovery", (span) => {
    span?.setAttribute("idp.issuer", oidc.issuerId);
    return client.discovery(
      oidc.issuer,
      oidc.clientId,
      oidc.clientSecret ?? undefined,
      oidc.clientSecret ? client.ClientSecretPost(oidc.clientSecret) : client.None(),
      {
        timeout: 5,
        // Plain http is accepted only for a loopback issuer (config enforces it), e.g. a test IdP.
        execute: oidc.issuer.protocol === "http:" ? [client.allowInsecureRequests] : [],
        // Also kept by the configuration for every later request (token endpoint, JWKS).
        [client.customFetch]: identityProviderFetch,
      },
    );
  })
    .catch((error: unknown) => {
      // Whatever went wrong (no answer, or an answer that is no usable configuration), SSO cannot
      // work until discovery succeeds.
      throw identityProviderFailure(error) ?? new IdentityProviderUnavailableError(`discovery failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
  const entry = { key, at: Date.now(), promise };
  discovered = entry;
  promise.then(
    () => (holder.sessionboardOidcStatus = { ok: true, at: new Date(), detail: null }),
    (error: unknown) => (holder.sessionboardOidcStatus = { ok: false, at: new Date(), detail: error instanceof IdentityProviderUnavailableError ? error.detail : String(error) }),
  );
  promise.catch(() => {
    setTimeout(() => {
      if (discovered === entry) discovered = undefined;
    }, DISCOVERY_RETRY_MS).unref();
  });
  return promise;
}

