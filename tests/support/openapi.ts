import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";

/**
 * Checks answers of the JSON API against its OpenAPI description (GET /api/openapi.json): the
 * status must be documented for the method and path, the media type too, and the body must match
 * the documented schema. Shared by the unit test of the document and the end-to-end specs.
 */

type JsonObject = Record<string, unknown>;
export type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, JsonObject>>;
  components: { schemas: Record<string, JsonObject>; responses?: Record<string, JsonObject> };
};

export type ApiAnswer = {
  method: string;
  /** Scheme, host and the path as sent. */
  url: string;
  status: number;
  /** Lower-case names, as Playwright gives them. */
  headers: Record<string, string>;
  /** The body, or null when it cannot be read (a browser's redirect, a page already gone). */
  body: string | null;
};

const COMPONENTS_ID = "https://sessionboard.invalid/openapi/components";
const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "options", "head"];

/** Ajv over the document's components (refs rewritten to point into them), schema by schema. */
export function schemaCompiler(document: OpenApi) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  // zod writes a pattern next to every date-time format: that pattern is the check.
  ajv.addFormat("date-time", true);
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: rewriteRefs(document.components.schemas) });
  const cache = new Map<unknown, ValidateFunction>();
  return (schema: JsonObject): ValidateFunction => {
    let validate = cache.get(schema);
    if (!validate) {
      validate = ajv.compile(rewriteRefs(schema) as JsonObject);
      cache.set(schema, validate);
    }
    return validate;
  };
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === "$ref" && typeof inner === "string" && inner.startsWith("#/components/schemas/")
        ? `${COMPONENTS_ID}#/$defs/${inner.slice("#/components/schemas/".length)}`
        : rewriteRefs(inner),
    ]),
  );
}

type Template = { path: string; pattern: RegExp; literals: number };

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

export function answerChecker(document: OpenApi) {
  const compile = schemaCompiler(document);
  const templates: Template[] = Object.keys(document.paths)
    .map((path) => {
      const segments = path.split("/");
      return {
        path,
        pattern: new RegExp(`^${segments.map((s) => (/^\{[^}]+\}$/.test(s) ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/")}$`),
        literals: segments.filter((s) => !s.startsWith("{")).length,
      };
    })
    // A literal segment wins over a parameter, as in the router.
    .sort((a, b) => b.literals - a.literals);

  /** The methods an address serves, as its Allow header lists them. */
  const allowOf = (path: string) => {
    const methods = Object.keys(document.paths[path]).filter((m) => HTTP_METHODS.includes(m)).map((m) => m.toUpperCase());
    if (methods.includes("GET")) methods.push("HEAD");
    methods.push("OPTIONS");
    return [...new Set(methods)].sort().join(", ");
  };

  /** Null when the answer is as documented; otherwise what is wrong, naming method, path and status. */
  return function check(answer: ApiAnswer): string | null {
    // The path as sent: new URL() would resolve dot segments the server sees (and redirects).
    const url = { pathname: answer.url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "").split(/[?#]/)[0] || "/" };
    if (!url.pathname.startsWith("/api/") && url.pathname !== "/api") return null;
    const method = answer.method.toUpperCase();
    const where = `${method} ${url.pathname} answered ${answer.status}`;
    const problem = (text: string) => `${where}: ${text}${answer.body ? `\n  body: ${answer.body.slice(0, 400)}` : ""}`;

    // Before any route: server.mjs refuses what does not decode, Next redirects to the normal form.
    if (!decodes(url.pathname)) {
      if (answer.status !== 400) return problem("the address does not decode, so the answer must be 400 bad_request (components/responses/BadAddress)");
      return checkBody(document.components.responses?.BadAddress, method === "HEAD" ? null : answer, problem);
    }
    const dotSegments = /\/(\.|%2e){1,2}(\/|$)/i.test(url.pathname);
    if (dotSegments || (url.pathname.endsWith("/") && url.pathname !== "/")) {
      if (answer.status === 308 && answer.headers.location) return null;
      // Otherwise the address is answered as its normal form would be.
      const normal = dotSegments ? new URL(url.pathname, "http://normal.invalid").pathname : "";
      if (!dotSegments || normal.endsWith("/")) return problem("the address is not in normal form, so the answer must be a 308 to it");
      return check({ ...answer, url: normal });
    }
    const template = templates.find((t) => t.pattern.test(url.pathname));
    if (!template) {
      if (answer.status !== 404) return problem("no documented path matches, so the answer must be 404 not_found (components/responses/NotFound)");
      return checkBody(document.components.responses?.NotFound, method === "HEAD" ? null : answer, problem);
    }
    const item = document.paths[template.path];
    let operation = item[method.toLowerCase()];
    if (!operation && method === "HEAD") operation = item.get;
    if (!operation) {
      const allow = allowOf(template.path);
      if (method === "OPTIONS") {
        if (answer.status !== 204) return problem(`OPTIONS must answer 204 with Allow: ${allow}`);
      } else if (answer.status !== 405) {
        return problem(`${method} is not documented for ${template.path}, so the answer must be 405 method_not_allowed`);
      }
      if (answer.headers.allow !== allow) return problem(`Allow is "${answer.headers.allow}", but the document lists "${allow}"`);
      return answer.status === 405 ? checkBody(document.components.responses?.MethodNotAllowed, method === "HEAD" ? null : answer, problem) : null;
    }
    const responses = operation.responses as Record<string, JsonObject>;
    const response = responses[String(answer.status)];
    if (!response) return problem(`status ${answer.status} is not documented for ${method} ${template.path} (documented: ${Object.keys(responses).join(", ")})`);
    for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, JsonObject>)) {
      if (header.required && answer.headers[name.toLowerCase()] === undefined) return problem(`the documented header ${name} is missing`);
    }
    return checkBody(response, method === "HEAD" ? null : answer, problem);
  };

  function checkBody(response: JsonObject | undefined, answer: ApiAnswer | null, problem: (text: string) => string): string | null {
    if (!answer || answer.body === null) return null;
    const content = (response?.content ?? {}) as Record<string, { schema: JsonObject }>;
    const media = (answer.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (Object.keys(content).length === 0) {
      return answer.body === "" ? null : problem("the document says this answer has no body");
    }
    const documented = content[media];
    if (!documented) return problem(`media type "${media}" is not documented (documented: ${Object.keys(content).join(", ")})`);
    let value: unknown = answer.body;
    if (media === "application/json") {
      try {
        value = JSON.parse(answer.body);
      } catch {
        return problem("the body is not JSON");
      }
    }
    const validate = compile(documented.schema);
    if (validate(value)) return null;
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || "(body)"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
    return problem(`the body does not match the documented schema:\n  ${errors.join("\n  ")}`);
  }
}
