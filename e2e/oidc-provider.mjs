// A real OpenID Provider for the end-to-end tests (the `oidc-provider` package, its development
// login and consent pages), on a loopback port. Accounts need no password: the login typed is the
// subject and preferred_username; logins starting with "admin" are in the "sessionboard-admins" group.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT ?? 3211);
const appUrl = process.env.APP_URL ?? "http://localhost:3210";
const issuer = `http://localhost:${port}`;
// The shared test server, and the extra instances the restart spec starts.
const extraPorts = (process.env.EXTRA_APP_PORTS ?? "").split(",").filter(Boolean);
const redirect_uris = [appUrl, ...extraPorts.map((p) => `http://localhost:${p}`)].map((base) => `${base}/api/auth/oidc/callback`);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "sessionboard",
      client_secret: "e2e-client-secret-0123456789",
      redirect_uris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      backchannel_logout_uri: `${appUrl}/api/auth/oidc/backchannel-logout`,
      backchannel_logout_session_required: true,
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
        return {
          sub: id,
          preferred_username: id,
          name: `Test ${id}`,
          email: `${id}@example.test`,
          email_verified: true,
          groups: id.startsWith("admin") ? ["sessionboard-admins", "staff"] : ["staff"],
        };
      },
    };
  },
});

provider.listen(port, "127.0.0.1", () => console.log(`test OpenID Provider listening on ${issuer}`));
