import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { ERRORS } from "@/lib/errors";
import { isGeneratedHandler, ROUTE_METHODS } from "@/lib/http/methods";
import { buildOpenApiDocument, errorCodes, OPENAPI_VERSION, type OpenApiDocument } from "@/lib/http/openapi/document";
import { OPERATIONS } from "@/lib/http/openapi/operations";
import { answerChecker, schemaCompiler, type OpenApi } from "../support/openapi";

const ROOT = path.resolve(__dirname, "../..");
const API_DIR = path.join(ROOT, "app", "api");

/**
 * app/api/[[...path]]/route.ts answers every /api address no other route serves with 404
 * not_found, whatever the method. It is not an endpoint: as a path template (/api/{path}) it would
 * match every address and tell clients and generators that anything goes. The document describes
 * it instead as the NotFound answer of components/responses (and the end-to-end check expects
 * exactly that for undocumented addresses).
 */
const NOT_AN_ENDPOINT = new Set(["app/api/[[...path]]/route.ts"]);

type Route = { file: string; path: string };

/** Every route.ts under app/api, with its path as the document writes it ([id] → {id}, groups dropped). */
function discoverRoutes(): Route[] {
  const routes: Route[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const file = path.relative(ROOT, full).split(path.sep).join("/");
        if (NOT_AN_ENDPOINT.has(file)) continue;
        const segments = path
          .relative(path.join(ROOT, "app"), dir)
          .split(path.sep)
          .filter((segment) => !/^\(.*\)$/.test(segment))
          .map((segment) => {
            if (/^\[\[?\.\.\./.test(segment)) throw new Error(`${file}: a catch-all route cannot be described as an OpenAPI path; decide how to document it`);
            const param = /^\[(.+)\]$/.exec(segment);
            return param ? `{${param[1]}}` : segment;
          });
        routes.push({ file, path: `/${segments.join("/")}` });
      }
    }
  };
  walk(API_DIR);
  return routes.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The methods a route serves with handlers of its own: exported, and not one that allowOnly made
 * for the methods it refuses. HEAD answered by GET's handler is part of GET.
 */
async function servedMethods(file: string): Promise<string[]> {
  const exports = (await import(pathToFileURL(path.join(ROOT, file)).href)) as Record<string, unknown>;
  return ROUTE_METHODS.filter((method) => {
    const handler = exports[method];
    if (typeof handler !== "function" || isGeneratedHandler(handler)) return false;
    return !(method === "HEAD" && handler === exports.GET);
  });
}

/** What differs between the routes on disk and the document, one readable line each. */
function routeMismatches(served: { file: string; path: string; methods: string[] }[], document: Pick<OpenApiDocument, "paths">): string[] {
  const problems: string[] = [];
  const documented = new Set(Object.entries(document.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`)));
  const existing = new Set<string>();
  for (const route of served) {
    for (const method of route.methods) {
      const key = `${method} ${route.path}`;
      existing.add(key);
      if (!documented.has(key)) problems.push(`${route.file} serves ${key}, which the OpenAPI description does not document (add it to lib/http/openapi/operations.ts)`);
    }
  }
  for (const key of documented) {
    if (!existing.has(key)) problems.push(`The OpenAPI description documents ${key}, which no route under app/api serves`);
  }
  return problems;
}

const document = buildOpenApiDocument({ cookieName: "session_token", serverUrl: "http://localhost:3000" });

describe("the OpenAPI description", () => {
  it("documents every method of every route under app/api, and nothing else", async () => {
    const routes = await Promise.all(discoverRoutes().map(async (route) => ({ ...route, methods: await servedMethods(route.file) })));
    expect(routes.length).toBeGreaterThan(15);
    expect(routes.find((r) => r.path === "/api/sessions/{id}")?.methods).toEqual(["GET", "DELETE"]);
    expect(routeMismatches(routes, document)).toEqual([]);
  });

  it("names what is missing or extra", () => {
    const served = [
      { file: "app/api/sessions/route.ts", path: "/api/sessions", methods: ["GET"] },
      { file: "app/api/metrics/route.ts", path: "/api/metrics", methods: ["GET"] },
    ];
    expect(routeMismatches(served, { paths: { "/api/sessions": { get: {}, delete: {} } } })).toEqual([
      "app/api/metrics/route.ts serves GET /api/metrics, which the OpenAPI description does not document (add it to lib/http/openapi/operations.ts)",
      "The OpenAPI description documents DELETE /api/sessions, which no route under app/api serves",
    ]);
  });

  it("tells a route's own handlers from allowOnly's 405 and OPTIONS answers", async () => {
    expect(await servedMethods("app/api/sessions/route.ts")).toEqual(["GET", "DELETE"]);
    expect(await servedMethods("app/api/auth/login/route.ts")).toEqual(["POST"]);
    // The catch-all exports one handler under every name: all count as served (HEAD is GET's).
    expect(await servedMethods("app/api/[[...path]]/route.ts")).toEqual(ROUTE_METHODS.filter((m) => m !== "HEAD"));
  });

  it("is well-formed OpenAPI 3.1", () => {
    expect(document.openapi).toBe(OPENAPI_VERSION);
    expect(OPENAPI_VERSION).toMatch(/^3\.1\.\d+$/);
    expect(document.info.title).toBeTruthy();
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+/);
    const tags = new Set(document.tags.map((t) => t.name));
    const schemes = document.components.securitySchemes;
    const operationIds = new Set<string>();
    for (const [template, item] of Object.entries(document.paths)) {
      expect(template).toMatch(/^\/api(\/[A-Za-z0-9._-]+|\/\{[A-Za-z]+\})+$/);
      const pathParams = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${template}`;
        expect(["get", "put", "post", "delete", "patch"], where).toContain(method);
        const op = operation as {
          operationId: string;
          summary: string;
          tags: string[];
          security: Record<string, string[]>[];
          parameters?: { name: string; in: string; required: boolean; schema: object }[];
          requestBody?: { content: Record<string, { schema: object }> };
          responses: Record<string, { description: string; content?: Record<string, { schema: object }> }>;
        };
        expect(operationIds.has(op.operationId), `${where}: operationId ${op.operationId} is used twice`).toBe(false);
        operationIds.add(op.operationId);
        expect(op.summary, where).toBeTruthy();
        for (const tag of op.tags) expect(tags, where).toContain(tag);
        for (const requirement of op.security) for (const scheme of Object.keys(requirement)) expect(Object.keys(schemes), where).toContain(scheme);
        // Every {param} is declared as a required path parameter, and no other path parameter is.
        const declared = (op.parameters ?? []).filter((p) => p.in === "path");
        expect(declared.map((p) => p.name).sort(), where).toEqual(pathParams);
        for (const p of declared) expect(p.required, `${where} ${p.name}`).toBe(true);
        const names = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
        expect(new Set(names).size, `${where}: a parameter is declared twice`).toBe(names.length);
        expect(Object.keys(op.responses).length, where).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(op.responses)) {
          expect(status, where).toMatch(/^[1-5]\d\d$/);
          expect(response.description, `${where} ${status}`).toBeTruthy();
        }
        expect(op.responses["500"], `${where}: a 500 is never an answer`).toBeUndefined();
      }
    }
  });

  it("resolves every $ref, and every schema in it is valid JSON Schema 2020-12", () => {
    const refs: string[] = [];
    const collect = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === "object") {
        for (const [key, inner] of Object.entries(value)) {
          if (key === "$ref") refs.push(inner as string);
          else collect(inner);
        }
      }
    };
    collect(document);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\//);
      const target = ref
        .slice(2)
        .split("/")
        .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
      expect(target, `${ref} does not resolve`).toBeTypeOf("object");
    }
    // Ajv (strict) compiles every schema the document holds.
    const compile = schemaCompiler(document as unknown as OpenApi);
    for (const schema of Object.values(document.components.schemas)) compile(schema);
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item) as { parameters?: { schema: object }[]; requestBody?: { content: object }; responses: object }[]) {
        for (const parameter of operation.parameters ?? []) compile(parameter.schema as Record<string, unknown>);
        const media = [...Object.values(operation.requestBody?.content ?? {}), ...Object.values(operation.responses).flatMap((r) => Object.values((r as { content?: object }).content ?? {}))];
        for (const { schema } of media as { schema: Record<string, unknown> }[]) compile(schema);
      }
    }
  });

  it("lists each operation's error codes under their catalog status", () => {
    for (const operation of OPERATIONS) {
      const responses = document.paths[operation.path][operation.method].responses as Record<string, { content: Record<string, { schema: { properties: { error: { properties: { code: { enum: string[] } } } } } }> }>;
      for (const code of errorCodes(operation)) {
        const enumerated = responses[String(ERRORS[code].status)]?.content["application/json"].schema.properties.error.properties.code.enum;
        expect(enumerated, `${operation.method.toUpperCase()} ${operation.path}: ${code}`).toContain(code);
      }
    }
    const revokeAll = document.paths["/api/admin/sessions"].delete.responses as Record<string, unknown>;
    expect(Object.keys(revokeAll).sort()).toEqual(["200", "400", "401", "403", "404", "409", "413", "415", "429", "503"]);
  });

  it("names the session cookie as the deployment does", () => {
    expect(document.components.securitySchemes.sessionCookie).toMatchObject({ type: "apiKey", in: "cookie", name: "session_token" });
    const https = buildOpenApiDocument({ cookieName: "__Host-session_token" });
    expect(https.components.securitySchemes.sessionCookie).toMatchObject({ name: "__Host-session_token" });
    expect(https.info.description).toContain("__Host-session_token");
  });
});

describe("checking answers against the description", () => {
  const check = answerChecker(document as unknown as OpenApi);
  const json = { "content-type": "application/json" };
  const session = {
    id: "abc",
    tokenHint: "3f9a1c2e",
    current: true,
    authMethod: "static",
    ipAddress: "127.0.0.1",
    country: null,
    city: null,
    userAgent: null,
    browser: null,
    os: null,
    deviceType: "unknown",
    rememberMe: false,
    createdAt: "2026-12-02T08:00:00.000Z",
    lastActiveAt: "2026-12-02T08:00:00.000Z",
    expiresAt: "2026-12-09T08:00:00.000Z",
    endedAt: null,
    endReason: null,
    endedBy: null,
  };
  const answer = (method: string, url: string, status: number, body: unknown, headers: Record<string, string> = json) => ({
    method,
    url: `http://localhost:3000${url}`,
    status,
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

  it("accepts answers as documented", () => {
    expect(check(answer("GET", "/api/sessions", 200, { sessions: [session], nextCursor: null }))).toBeNull();
    expect(check(answer("GET", "/api/sessions/abc", 404, { error: { code: "session_not_found", message: "gone" } }))).toBeNull();
    expect(check(answer("GET", "/api/nothing/here", 404, { error: { code: "not_found", message: "none" } }))).toBeNull();
    expect(check(answer("PUT", "/api/sessions", 405, { error: { code: "method_not_allowed", message: "no" } }, { ...json, allow: "DELETE, GET, HEAD, OPTIONS" }))).toBeNull();
    expect(check(answer("OPTIONS", "/api/sessions", 204, "", { allow: "DELETE, GET, HEAD, OPTIONS" }))).toBeNull();
    expect(check(answer("GET", "/api/auth/oidc/logout", 303, "", { location: "/login?signedOut=1" }))).toBeNull();
    expect(check(answer("GET", "/login", 500, "anything"))).toBeNull();
    // What happens before any route: an undecodable address, one not in normal form.
    expect(check(answer("DELETE", "/api/sessions/%ZZ", 400, { error: { code: "bad_request", message: "x" } }))).toBeNull();
    expect(check(answer("GET", "/api/sessions/..", 308, "/api", { location: "/api" }))).toBeNull();
    expect(check(answer("POST", "/api/admin/users/../enable", 404, { error: { code: "not_found", message: "x" } }))).toBeNull();
    expect(check(answer("POST", "/api/sessions/../auth/logout", 404, { error: { code: "not_found", message: "x" } }))).toMatch(/must be a 308|not documented/);
    expect(check(answer("HEAD", "/api/auth/login", 405, "", { allow: "OPTIONS, POST" }))).toBeNull();
  });

  it("names the method, path and status of an answer that differs", () => {
    expect(check(answer("GET", "/api/sessions", 200, { sessions: [{ ...session, token: "secret" }], nextCursor: null }))).toMatch(
      /^GET \/api\/sessions answered 200: the body does not match the documented schema:\n {2}\/sessions\/0 must NOT have additional properties/,
    );
    expect(check(answer("GET", "/api/sessions", 200, { sessions: [{ ...session, createdAt: "yesterday" }], nextCursor: null }))).toMatch(/createdAt/);
    expect(check(answer("GET", "/api/sessions", 418, {}))).toMatch(/^GET \/api\/sessions answered 418: status 418 is not documented for GET \/api\/sessions/);
    expect(check(answer("GET", "/api/sessions", 404, { error: { code: "session_not_found", message: "x" } }))).toMatch(/status 404 is not documented/);
    expect(check(answer("GET", "/api/sessions/abc", 404, { error: { code: "user_not_found", message: "x" } }))).toMatch(/must be equal to one of the allowed values/);
    expect(check(answer("GET", "/api/sessions", 200, "<html>", { "content-type": "text/html" }))).toMatch(/media type "text\/html" is not documented/);
    expect(check(answer("PUT", "/api/sessions", 405, { error: { code: "method_not_allowed", message: "no" } }, { ...json, allow: "GET" }))).toMatch(/Allow is "GET"/);
    expect(check(answer("GET", "/api/auth/oidc/logout", 303, "", {}))).toMatch(/the documented header Location is missing/);
    expect(check(answer("GET", "/api/nothing", 200, {}))).toMatch(/must be 404 not_found/);
    expect(check(answer("GET", "/api/sessions/%ZZ", 404, { error: { code: "not_found", message: "x" } }))).toMatch(/must be 400 bad_request/);
    expect(check(answer("GET", "/api/sessions/", 404, { error: { code: "not_found", message: "x" } }))).toMatch(/must be a 308/);
  });
});
