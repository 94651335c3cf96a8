import { z } from "zod";
import packageJson from "../../../package.json";
import type { Config } from "../../config";
import { ERRORS, type FailureCode } from "../../errors";
import { sessionCookieName } from "../../sessions/cookie";
import { MAX_BODY_BYTES } from "../body";
import { OPERATIONS, REQUEST_SCHEMAS, RESPONSE_SCHEMAS, TAGS, type Answer, type Operation } from "./operations";

/**
 * The OpenAPI 3.1 description of the JSON API, generated from the operations table and the zod
 * schemas it names (z.toJSONSchema, JSON Schema 2020-12 — the dialect OpenAPI 3.1 uses): request
 * bodies and parameters as the routes' schemas accept them (io "input"), answers as the code that
 * builds them is typed (io "output"; objects closed, so a field the description lacks is a
 * mismatch). Served at /api/openapi.json.
 */

export const OPENAPI_VERSION = "3.1.0";
const SCHEMA_BASE = "#/components/schemas/";

type JsonSchema = Record<string, unknown>;
type JsonObject = Record<string, unknown>;

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description: string };
  servers?: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, JsonObject>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonObject>; responses: Record<string, JsonObject> };
};

export type DocumentOptions = {
  /** The session cookie's name (`__Host-session_token` on https). */
  cookieName: string;
  /** DASHBOARD_URL's origin, when known. */
  serverUrl?: string;
};

const cached = new WeakMap<Config, OpenApiDocument>();

/** The description for this deployment (its URL and cookie name), built once per configuration. */
export function openApiDocumentFor(config: Config): OpenApiDocument {
  let document = cached.get(config);
  if (!document) {
    document = buildOpenApiDocument({ cookieName: sessionCookieName(config), serverUrl: config.publicUrl.origin });
    cached.set(config, document);
  }
  return document;
}

export function buildOpenApiDocument(options: DocumentOptions): OpenApiDocument {
  const names = new Map<z.ZodType, string>();
  for (const [name, schema] of [...Object.entries(RESPONSE_SCHEMAS), ...Object.entries(REQUEST_SCHEMAS)]) {
    if (names.has(schema)) throw new Error(`OpenAPI: a schema is named twice (${names.get(schema)}, ${name})`);
    names.set(schema, name);
  }
  const refTo = (schema: z.ZodType): JsonSchema => {
    const name = names.get(schema);
    if (name) return { $ref: `${SCHEMA_BASE}${name}` };
    // Small unnamed schemas (a text body) are written inline.
    return withoutDialect(z.toJSONSchema(schema, { target: "draft-2020-12", io: "output" }));
  };

  const paths: OpenApiDocument["paths"] = {};
  for (const operation of OPERATIONS) {
    const item = (paths[operation.path] ??= {});
    if (item[operation.method]) throw new Error(`OpenAPI: ${operation.method.toUpperCase()} ${operation.path} is listed twice`);
    item[operation.method] = operationObject(operation, refTo);
  }

  const usesBearer = OPERATIONS.some((operation) => operation.auth === "bearer");
  return {
    openapi: OPENAPI_VERSION,
    info: { title: "Sessionboard API", version: packageJson.version, description: apiDescription(options.cookieName) },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: { ...componentSchemas(RESPONSE_SCHEMAS, "output"), ...componentSchemas(REQUEST_SCHEMAS, "input") },
      securitySchemes: {
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: options.cookieName,
          description:
            "The session cookie that POST /api/auth/login (or single sign-on) sets. Operations that need an admin list the role `admin`. " +
            "State-changing requests (POST, DELETE) must come from the dashboard's own origin (see the description above).",
        },
        ...(usesBearer ? { bearerToken: { type: "http", scheme: "bearer", description: "The token configured on the server (DASHBOARD_METRICS_TOKEN)" } } : {}),
      },
      responses: {
        NotFound: errorResponse(["not_found"], "No endpoint at this address (any method)"),
        BadAddress: errorResponse(["bad_request"], "An address whose percent-encoding does not decode (any address, any method)"),
        MethodNotAllowed: {
          ...errorResponse(["method_not_allowed"], "A method this address does not serve; `Allow` lists those it does"),
          headers: { Allow: { description: "The methods this address serves", required: true, schema: { type: "string" } } },
        },
      },
    },
  };
}

function apiDescription(cookieName: string): string {
  return [
    "The JSON API of Sessionboard: sign in, see and end sessions, and the Admin Panel's data. Generated from the zod schemas the routes validate with.",
    "",
    `**Authentication.** The session cookie \`${cookieName}\` (HttpOnly), set by signing in. Admin operations need a session whose user is an admin; ` +
      "the role is derived at every request. Destructive admin operations also need a sign-in fresher than `DASHBOARD_FRESH_MINUTES`, " +
      'or the admin key in the body (`{"key": "..."}`), or (for single sign-on admins) signing in again.',
    "",
    "**Cross-site requests.** A POST or DELETE whose `Origin` is not exactly the dashboard's (`DASHBOARD_URL`: scheme, host and port) is refused " +
      "with 403 `cross_site_request`; without `Origin`, a `Sec-Fetch-Site` other than same-origin or none is refused too.",
    "",
    '**Errors.** Every error is `{"error": {"code", "message"}}`; each operation lists its codes by status. Every address also answers: ' +
      "405 `method_not_allowed` with `Allow` for a method it does not serve (OPTIONS: 204 with `Allow`; HEAD as GET without a body), " +
      "and any `/api` address no operation serves answers 404 `not_found` for every method (components/responses). " +
      "An address whose percent-encoding does not decode is 400 `bad_request`; one not in normal form (a `.` or `..` segment, a trailing slash) " +
      "is redirected (308) to its normal form, or answered as that address. 429 and 503 carry `Retry-After`.",
    "",
    `**Bodies.** JSON or form-encoded as each operation says, at most ${MAX_BODY_BYTES} bytes. Times are ISO 8601 in UTC. Lists are paged by ` +
      "cursor: pass `nextCursor` back as `cursor`; null means the last page.",
  ].join("\n");
}

function componentSchemas(named: Record<string, z.ZodType>, io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io, uri: (id) => `${SCHEMA_BASE}${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, withoutDialect(schema as JsonSchema)]));
}

/** Components live inside the document: their own $schema and $id would make each a separate resource. */
function withoutDialect(schema: JsonSchema): JsonSchema {
  const rest = { ...schema };
  delete rest.$schema;
  delete rest.$id;
  return rest;
}

function operationObject(operation: Operation, refTo: (schema: z.ZodType) => JsonSchema): JsonObject {
  const parameters = [
    ...(operation.params ? parametersOf(operation.params, "path") : []),
    ...(operation.query ? parametersOf(operation.query, "query") : []),
  ];
  const responses: Record<string, JsonObject> = {};
  for (const [status, answer] of Object.entries(operation.responses)) responses[status] = answerObject(answer, refTo);
  for (const [status, codes] of errorsByStatus(errorCodes(operation))) {
    if (responses[status]) throw new Error(`OpenAPI: ${operation.method.toUpperCase()} ${operation.path} answers ${status} both with a body and an error`);
    responses[status] = errorResponse(codes);
  }
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [operation.tag],
    ...securityOf(operation),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: operation.body.required,
            content: Object.fromEntries(operation.body.media.map((media) => [media, { schema: refTo(operation.body!.schema) }])),
          },
        }
      : {}),
    responses,
  };
}

function securityOf(operation: Operation): JsonObject {
  switch (operation.auth) {
    case "public":
      return { security: [] };
    case "session":
      return { security: [{ sessionCookie: [] }] };
    case "admin":
      // OpenAPI 3.1: for schemes other than OAuth, the list names the roles needed.
      return { security: [{ sessionCookie: ["admin"] }] };
    case "bearer":
      return { security: [{ bearerToken: [] }] };
  }
}

/**
 * Parameters from a zod object (or a union of objects, as DELETE /api/admin/sessions takes): one
 * per property, required where every variant requires it (path parameters always are).
 */
function parametersOf(schema: z.ZodType, where: "path" | "query"): JsonObject[] {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input" }) as JsonSchema;
  const variants = (Array.isArray(json.anyOf) ? json.anyOf : [json]) as JsonSchema[];
  const parameters = new Map<string, JsonObject>();
  for (const variant of variants) {
    const properties = (variant.properties ?? {}) as Record<string, JsonSchema>;
    for (const [name, property] of Object.entries(properties)) {
      if (parameters.has(name)) continue;
      const required = where === "path" || variants.every((v) => Array.isArray(v.required) && v.required.includes(name));
      const { description, ...rest } = property;
      parameters.set(name, { name, in: where, required, ...(description ? { description } : {}), schema: rest });
    }
  }
  return [...parameters.values()];
}

function answerObject(answer: Answer, refTo: (schema: z.ZodType) => JsonSchema): JsonObject {
  const content: Record<string, JsonObject> = {};
  if (answer.json) {
    const schemas = Array.isArray(answer.json) ? answer.json : [answer.json];
    content["application/json"] = { schema: schemas.length === 1 ? refTo(schemas[0]) : { oneOf: schemas.map(refTo) } };
  }
  for (const [media, schema] of Object.entries(answer.content ?? {})) content[media] = { schema: refTo(schema) };
  const headers = Object.entries(answer.headers ?? {}).map(([name, header]) => [
    name,
    { description: header.description, required: header.required ?? false, schema: { type: "string" } },
  ]);
  return {
    description: answer.description,
    ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}),
    ...(Object.keys(content).length > 0 ? { content } : {}),
  };
}

/** The codes an operation can fail with: its own, and those every operation of its kind shares. */
export function errorCodes(operation: Operation): FailureCode[] {
  const codes = new Set<FailureCode>(operation.errors ?? []);
  if ((operation.database ?? "refuse") === "refuse") codes.add("database_unavailable");
  if (operation.method !== "get") codes.add("cross_site_request");
  if (operation.auth === "session" || operation.auth === "admin") {
    codes.add("unauthenticated");
    codes.add("session_ended");
  }
  if (operation.auth === "admin") codes.add("forbidden");
  if (operation.fresh) for (const code of ["reauthentication_required", "wrong_key", "rate_limited"] as const) codes.add(code);
  if (operation.query || operation.body) codes.add("invalid_input");
  if (operation.body) for (const code of ["malformed_json", "malformed_body", "incomplete_body", "payload_too_large", "unsupported_media_type"] as const) codes.add(code);
  return [...codes];
}

function errorsByStatus(codes: FailureCode[]): Map<string, FailureCode[]> {
  const byStatus = new Map<string, FailureCode[]>();
  for (const code of codes) {
    const status = String(ERRORS[code].status);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a.localeCompare(b)));
}

/** An error answer limited to `codes`: the Error schema with its code narrowed, each code explained. */
function errorResponse(codes: FailureCode[], summary?: string): JsonObject {
  const lines = codes.map((code) => {
    const message: unknown = ERRORS[code].message;
    return `\`${code}\`: ${typeof message === "string" ? message : "(worded for the case)"}`;
  });
  const status = ERRORS[codes[0]].status;
  return {
    description: [summary, ...lines].filter(Boolean).join("\n\n"),
    ...(status === 429 || status === 503
      ? { headers: { "Retry-After": { description: "Seconds to wait before trying again", required: true, schema: { type: "string" } } } }
      : {}),
    content: {
      "application/json": {
        schema: { $ref: `${SCHEMA_BASE}Error`, type: "object", properties: { error: { type: "object", properties: { code: { enum: codes } } } } },
      },
    },
  };
}
