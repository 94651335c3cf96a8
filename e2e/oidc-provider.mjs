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
      grant_types: ["authorization_code"],
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
  features: { devInteractions: { enabled: true }, backchannelLogout: { enabled: true } },
  claims: {
    openid: ["sub"],
    profile: ["name", "preferred_username", "groups"],
    email: ["email", "email_verified"],
  },
  // Put the requested claims in the ID token too (as Keycloak does), not only in userinfo.
  conformIdTokenClaims: false,
  cookies: { keys: ["e2e-oidc-cookie-key-0123456789"] },
  async findAccount(_ctx, id) {
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

// POST /test/account?sub=<subject> with a JSON body of claims → those claims replace the defaults.
provider.use(async (ctx, next) => {
  if (ctx.path !== "/test/account" || ctx.method !== "POST") return next();
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  accountOverrides.set(String(ctx.query.sub), JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"));
  ctx.status = 204;
});

// GET /test/logout-token?sub=&sid=&forged=1&nonce=1&aud=&noEvent=1 → a logout token (text).
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
    .setExpirationTime("2m");
  if (q.sub) token = token.setSubject(String(q.sub));
  ctx.type = "text/plain";
  ctx.body = await token.sign(q.forged ? strangerKey : privateKey);
});

provider.on("backchannel.error", (ctx, error, client) => console.error(`back-channel logout to ${client.clientId} failed: ${error.message} ${error.cause?.message ?? ""} ${error.cause?.code ?? ""}`));
provider.on("backchannel.success", (ctx, client) => console.log(`back-channel logout sent to ${client.clientId}`));

provider.listen(port, "127.0.0.1", () => console.log(`test OpenID Provider listening on ${issuer}`));
