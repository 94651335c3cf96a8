// A real OpenID Provider for the end-to-end tests (the `oidc-provider` package, its development
// login and consent pages), on a loopback port. Accounts need no password: the login typed is the
// subject and preferred_username; logins starting with "admin" are in the "sessionboard-admins" group.
import { randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT ?? 3211);
const appUrl = process.env.APP_URL ?? "http://localhost:3210";
const issuer = `http://localhost:${port}`;
// The shared test server, and the extra instances the restart spec starts.
const extraPorts = (process.env.EXTRA_APP_PORTS ?? "").split(",").filter(Boolean);
const redirect_uris = [appUrl, ...extraPorts.map((p) => `http://localhost:${p}`)].map((base) => `${base}/api/auth/oidc/callback`);

// Our own signing key, so the test-only route below can mint logout tokens the app must accept —
// and, with a second key, forged ones it must refuse.
const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const { privateKey: strangerKey } = await generateKeyPair("RS256", { extractable: true });
const signingJwk = { ...(await exportJWK(privateKey)), kid: "e2e-signing-key", use: "sig", alg: "RS256" };

const provider = new Provider(issuer, {
  jwks: { keys: [signingJwk] },
  // The app under test is on a loopback address, which oidc-provider's SSRF guard refuses to call
  // (back-channel logout). This test IdP drops the guard; a real provider calls a public URL.
  fetch: (url, options) => {
    delete options.dispatcher;
    return globalThis.fetch(url, options);
  },
  clients: [
    {
      client_id: "sessionboard",
      client_secret: "e2e-client-secret-0123456789",
      redirect_uris,
      // Refresh tokens: the app re-checks each SSO session with one (rotated at every use).
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      // Server to server: the app listens on 127.0.0.1 only, and "localhost" may resolve to ::1.
      backchannel_logout_uri: `${appUrl.replace("//localhost", "//127.0.0.1")}/api/auth/oidc/backchannel-logout`,
      backchannel_logout_session_required: true,
      post_logout_redirect_uris: [`${appUrl}/login?signedOut=1`],
    },
    {
      client_id: "sessionboard-public",
      token_endpoint_auth_method: "none",
      redirect_uris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  pkce: { required: () => true },
  // A refresh token for every client allowed the grant, without offline_access (as many providers
  // do for their own clients), rotated at every use: a rotated token used again revokes the grant.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
  rotateRefreshToken: true,
  features: {
    devInteractions: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // With a valid id_token_hint the person is signed out without being asked (as Keycloak, Entra
      // ID and others do); without one, the confirmation page.
      async logoutSource(ctx, form) {
        const hinted = Boolean(ctx.oidc.params.id_token_hint);
        endSessions.push({ idTokenHint: hinted, confirmationPage: !hinted });
        ctx.body = hinted
          ? `<!DOCTYPE html><html><head><title>Signing out</title></head><body>${form.replace("</form>", '<input type="hidden" name="logout" value="yes"/></form>')}<script>document.forms[0].submit()</script></body></html>`
          : `<!DOCTYPE html><html><head><title>Logout Request</title></head><body><h1>Do you want to sign-out from ${ctx.host}?</h1>${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button><button type="submit" form="op.logoutForm">No, stay signed in</button></body></html>`;
      },
    },
  },
  claims: {
    openid: ["sub"],
    profile: ["name", "preferred_username", "groups"],
    email: ["email", "email_verified"],
  },
  // Put the requested claims in the ID token too (as Keycloak does), not only in userinfo.
  conformIdTokenClaims: false,
  cookies: { keys: ["e2e-oidc-cookie-key-0123456789"] },
  async findAccount(_ctx, id) {
    // A disabled account: sign-ins and refreshes are refused (invalid_grant).
    if (disabledAccounts.has(id)) return undefined;
    return {
      accountId: id,
      async claims() {
        const claims = {
          sub: id,
          preferred_username: id,
          name: `Test ${id}`,
          email: `${id}@example.test`,
          email_verified: true,
          groups: id.startsWith("admin") ? ["sessionboard-admins", "staff"] : ["staff"],
          ...accountOverrides.get(id),
        };
        // A claim set to null in an override is left out altogether.
        return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== null));
      },
    };
  },
});

/** Claims a test gives an account (what a person could edit at a real provider), by subject. */
const accountOverrides = new Map();
/** Subjects disabled at the provider by a test. */
const disabledAccounts = new Set();
/** Every end_session request that reached the logout page: whether it carried id_token_hint, and whether the person was asked. */
const endSessions = [];
/** Refresh-token grants answered, per subject. */
const refreshes = new Map();
/** While true the provider answers every request but the /test/ ones with 503, as an outage would. */
let down = false;
/** Milliseconds every request but the /test/ ones waits before it is answered (a slow provider). */
let delayMs = 0;

// The test-only controls: POST /test/disable?sub=, /test/enable?sub=, /test/down?on=1|0, /test/delay?ms=;
// GET /test/end-sessions, /test/refreshes?sub=.
provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith("/test/")) {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (down) {
      ctx.status = 503;
      ctx.body = "down for a test";
      return;
    }
    return next();
  }
  const sub = String(ctx.query.sub ?? "");
  switch (`${ctx.method} ${ctx.path}`) {
    case "POST /test/disable":
      disabledAccounts.add(sub);
      ctx.status = 204;
      return;
    case "POST /test/enable":
      disabledAccounts.delete(sub);
      ctx.status = 204;
      return;
    case "POST /test/down":
      down = ctx.query.on === "1";
      ctx.status = 204;
      return;
    case "POST /test/delay":
      delayMs = Number(ctx.query.ms ?? 0);
      ctx.status = 204;
      return;
    case "GET /test/end-sessions":
      ctx.body = endSessions;
      return;
    case "GET /test/refreshes":
      ctx.body = { count: refreshes.get(sub) ?? 0 };
      return;
    default:
      return next();
  }
});
provider.on("grant.success", (ctx) => {
  if (ctx.oidc.params?.grant_type !== "refresh_token") return;
  const sub = ctx.oidc.entities.Account?.accountId;
  if (sub) refreshes.set(sub, (refreshes.get(sub) ?? 0) + 1);
});

// POST /test/account?sub=<subject> with a JSON body of claims → those claims replace the defaults.
provider.use(async (ctx, next) => {
  if (ctx.path !== "/test/account" || ctx.method !== "POST") return next();
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  accountOverrides.set(String(ctx.query.sub), JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"));
  ctx.status = 204;
});

// GET /test/logout-token?sub=&sid=&forged=1&nonce=1&aud=&noEvent=1&expired=1 → a logout token (text).
provider.use(async (ctx, next) => {
  if (ctx.path !== "/test/logout-token") return next();
  const q = ctx.query;
  const claims = {
    ...(q.noEvent ? {} : { events: { "http://schemas.openid.net/event/backchannel-logout": {} } }),
    ...(q.sid ? { sid: String(q.sid) } : {}),
    ...(q.nonce ? { nonce: "not-allowed" } : {}),
  };
  let token = new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "e2e-signing-key", typ: "logout+jwt" })
    .setIssuer(issuer)
    .setAudience(String(q.aud ?? "sessionboard"))
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(q.expired ? Math.floor(Date.now() / 1000) - 30 : "2m");
  if (q.sub) token = token.setSubject(String(q.sub));
  ctx.type = "text/plain";
  ctx.body = await token.sign(q.forged ? strangerKey : privateKey);
});

provider.on("backchannel.error", (ctx, error, client) => console.error(`back-channel logout to ${client.clientId} failed: ${error.message} ${error.cause?.message ?? ""} ${error.cause?.code ?? ""}`));
provider.on("backchannel.success", (ctx, client) => console.log(`back-channel logout sent to ${client.clientId}`));

provider.listen(port, "127.0.0.1", () => console.log(`test OpenID Provider listening on ${issuer}`));
