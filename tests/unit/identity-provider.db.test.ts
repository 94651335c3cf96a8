import http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { verifyLogoutToken } from "@/lib/auth/backchannel";
import * as client from "openid-client";
import { identityProviderFailure, identityProviderRefusal } from "@/lib/auth/identity-provider";
import { finishOidcLogin, oidcClient, startOidcLogin } from "@/lib/auth/oidc";
import { databaseAvailable, databaseDownSince, reportDatabaseReachable } from "@/lib/db/availability";
import { errorResponse } from "@/lib/http/errors";
import { seal } from "@/lib/sealed";
import { closedPort } from "../support/ports";
import { request, tempDatabase, testConfig, thrownBy } from "./helpers";

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** Well formed, so only the provider's keys could tell it is not genuine. */
const wellFormed = `${b64({ alg: "RS256", kid: "k1" })}.${b64({ iss: "x", sub: "alice", events: {} })}.${"A".repeat(342)}`;
const GARBAGE = [
  "garbage",
  "not.a.jwt",
  "a.b",
  "a.b.c.d",
  `${b64({ alg: "RS256" })}.${b64({})}.sig=`,
  `${b64({ typ: "JWT" })}.${b64({})}.sig`,
  `${b64({ alg: "none" })}.${b64({})}.sig`,
  `${b64({ alg: "HS256" })}.${b64({})}.sig`,
  `${Buffer.from("{not json").toString("base64url")}.${b64({})}.sig`,
  `${b64({ alg: "RS256" })}.${Buffer.from("[1,").toString("base64url")}.sig`,
  `${b64({ alg: "RS256" })}.${b64({})}.si+g`,
];

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  reportDatabaseReachable();
});

/** A provider whose discovery works but whose token endpoint and JWKS are at `downUrl`. */
async function halfDownProvider(downUrl: string) {
  const server = http.createServer((request, response) => {
    if (request.url !== "/.well-known/openid-configuration") return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${downUrl}/token`,
        jwks_uri: `${downUrl}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
      }),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return issuer;
}

/** A provider that answers every request with `status` (and `body`), counting them. */
async function brokenProvider(status: number, body = "no", contentType = "text/plain") {
  const seen: string[] = [];
  const server = http.createServer((request, response) => {
    seen.push(request.url ?? "");
    response.writeHead(status, { "content-type": contentType }).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { issuer: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, seen };
}

/** A provider whose discovery works but whose JWKS answers `status` with `body` (a misconfigured one). */
const brokenJwksProvider = async (status: number, body: string, contentType = "application/json") =>
  halfDownProvider((await brokenProvider(status, body, contentType)).issuer);

const oidcFor = (issuer: string) => {
  const config = testConfig({ DASHBOARD_OIDC_ISSUER: issuer, DASHBOARD_OIDC_CLIENT_ID: "sessionboard" });
  if (!config.oidc) throw new Error("SSO should be configured");
  return { config, oidc: config.oidc };
};

/** A token endpoint that answers each request with the next of `answers` (status, content type, body). */
async function scriptedTokenEndpoint(answers: [number, string, string][]) {
  const server = http.createServer((request, response) => {
    const [status, type, body] = answers.shift() ?? [500, "text/plain", "no more answers"];
    request.resume();
    response.writeHead(status, { "content-type": type }).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

describe("what the identity provider answered, told apart where it arises", () => {
  it("an answer that says to come back later, or is no OAuth answer at all, is an outage; an OAuth refusal is a refusal", async () => {
    const json = "application/json";
    const cases: [number, string, string, "outage" | "refusal"][] = [
      [429, json, JSON.stringify({ error: "slow_down" }), "outage"],
      [408, "text/plain", "timeout", "outage"],
      [403, "text/html", "<html><body>Request blocked</body></html>", "outage"],
      [400, json, JSON.stringify({ error: "temporarily_unavailable" }), "outage"],
      [400, json, JSON.stringify({ error: "server_error" }), "outage"],
      [200, json, "{\"access_tok", "outage"],
      [400, json, JSON.stringify({ error: "invalid_grant", error_description: "session ended" }), "refusal"],
      [401, json, JSON.stringify({ error: "invalid_client" }), "refusal"],
    ];
    const endpoint = await scriptedTokenEndpoint(cases.map(([status, type, body]) => [status, type, body]));
    const { oidc } = oidcFor(await halfDownProvider(endpoint));
    const provider = await oidcClient(oidc);
    const seen: string[] = [];
    for (const [status, , body] of cases) {
      const error = await client.refreshTokenGrant(provider, "a-refresh-token").then(
        () => null,
        (thrown: unknown) => thrown,
      );
      const kind = identityProviderFailure(error) ? "outage" : identityProviderRefusal(error) ? "refusal" : "neither";
      seen.push(`${status} ${body.slice(0, 30)}: ${kind}`);
    }
    expect(seen).toEqual(cases.map(([status, , body, kind]) => `${status} ${body.slice(0, 30)}: ${kind}`));
  });
});

describe("an identity provider that cannot be reached", () => {
  it("is SSO unavailable (503 sso_unavailable), never a database outage; garbage logout tokens are 400 without asking it", async () => {
    const { config, oidc } = oidcFor(`http://127.0.0.1:${await closedPort()}`);
    for (const token of GARBAGE) {
      const response = errorResponse(await thrownBy(() => verifyLogoutToken(oidc, token)));
      expect(response.status, token).toBe(400);
      expect((await response.json()).error.code).toBe("invalid_logout_token");
    }

    const response = errorResponse(await thrownBy(() => verifyLogoutToken(oidc, wellFormed)));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect((await response.json()).error.code).toBe("sso_unavailable");
    const login = errorResponse(await thrownBy(() => startOidcLogin(config, oidc, { rememberMe: false, next: "/" })));
    expect(login.status).toBe(503);
    expect((await login.json()).error.code).toBe("sso_unavailable");
    expect(databaseDownSince()).toBeNull();
    expect(await databaseAvailable()).toBe(true);
  });

  it("is classified where each request to it fails: discovery, the token endpoint, the JWKS", async () => {
    const { db } = await tempDatabase();
    const { config, oidc } = oidcFor(await halfDownProvider(`http://127.0.0.1:${await closedPort()}`));
    // Discovery works, so the sign-in starts.
    expect((await startOidcLogin(config, oidc, { rememberMe: false, next: "/" })).url.pathname).toBe("/auth");
    const transaction = await seal(config, { state: "st", nonce: "no", codeVerifier: "v".repeat(43), rememberMe: false, next: "/settings" }, 600);
    const callback = new URL(`${oidc.redirectUri}?code=c0de&state=st`);
    expect(await finishOidcLogin(db, config, oidc, { url: callback, transaction, sessionCookie: undefined }, request)).toEqual({ ok: false, code: "sso_unavailable", next: "/settings" });
    const event = await db.prisma.authEvent.findFirstOrThrow({ where: { type: "login.failed" } });
    expect(event.detail).toMatch(/^identity provider unavailable: http:\/\/127\.0\.0\.1:\d+ did not answer \(ECONNREFUSED\)$/);
    const response = errorResponse(await thrownBy(() => verifyLogoutToken(oidc, wellFormed)));
    expect(response.status).toBe(503);
    expect((await response.json()).error.code).toBe("sso_unavailable");
    expect(databaseDownSince()).toBeNull();
  });

  it("never sees a malformed logout token; a provider answering 5xx is unavailable too", async () => {
    const provider = await brokenProvider(502);
    const { oidc } = oidcFor(provider.issuer);
    for (const token of GARBAGE) await thrownBy(() => verifyLogoutToken(oidc, token));
    expect(provider.seen).toEqual([]);
    const response = errorResponse(await thrownBy(() => verifyLogoutToken(oidc, wellFormed)));
    expect(provider.seen).toEqual(["/.well-known/openid-configuration"]);
    expect(response.status).toBe(503);
    expect((await response.json()).error.code).toBe("sso_unavailable");
    expect(databaseDownSince()).toBeNull();
  });

  it("a JWKS that is not there or not a JWKS is the provider's failure (503 sso_unavailable), not a forged token", async () => {
    const broken = [
      { status: 404, body: "not found", contentType: "text/plain" },
      { status: 200, body: "<html>a login page</html>", contentType: "text/html" },
      { status: 200, body: JSON.stringify({ not: "a key set" }) },
    ];
    for (const { status, body, contentType } of broken) {
      const { oidc } = oidcFor(await brokenJwksProvider(status, body, contentType));
      const response = errorResponse(await thrownBy(() => verifyLogoutToken(oidc, wellFormed)));
      expect(response.status, `${status} ${body}`).toBe(503);
      expect((await response.json()).error.code).toBe("sso_unavailable");
    }
  });
});
