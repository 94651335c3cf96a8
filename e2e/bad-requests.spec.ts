import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { ADMIN_KEY, BASE_URL, USER_KEY } from "./env";
import { describedAnswers } from "./api-contract";
import { uniqueUser } from "./helpers";

/**
 * Every route under app/api, found on the file system (a new route is covered without a new test),
 * gets a corpus of bad requests — methods, path segments, encodings, bodies and cookies —
 * anonymously and with a user's and an admin's session. Whatever arrives, the answer is a 4xx with
 * the API's JSON error body (405 with Allow for a method the route does not serve), never a 5xx.
 */

const ROUTE_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;
/** Every method Node parses that no route can serve (TRACE, PROPFIND, ...); CONNECT is sent apart. */
const FOREIGN_METHODS = http.METHODS.filter((m) => !(ROUTE_METHODS as readonly string[]).includes(m) && m !== "CONNECT");
/** Methods Node's parser does not know: refused before any route is looked up. */
const GARBAGE_METHODS = ["TRACK", "FOO", "GETT"];
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Requests that legitimately answer without an error even when nobody is signed in and the input is bad. */
const NOT_AN_ERROR: Record<string, Partial<Record<string, number>>> = {
  "/api/health": { GET: 200 }, // no input, no session check
  "/api/auth/ended": { GET: 303 }, // always on to /login (or back, for a live session)
  "/api/auth/oidc/login": { POST: 303 }, // to the identity provider (a bad body is still a 4xx: see READS_ITS_BODY)
  "/api/auth/oidc/callback": { GET: 303 }, // to /login with the reason the sign-in failed
  "/api/auth/oidc/logout": { GET: 303 }, // to the provider's end-session endpoint
  "/api/auth/logout": { POST: 200 }, // {"loggedOut": false} without a session; it reads no body
};
/** Of those, the ones that read a body: a bad body is a JSON 4xx all the same (its body is optional: none is no error). */
const READS_ITS_BODY = new Set(["POST /api/auth/oidc/login"]);
/** Ends the session it is sent with: never sent with the spec's own sessions. */
const ENDS_THE_SESSION = new Set(["POST /api/auth/logout"]);

/** A value for each dynamic segment, by its name: well-formed but naming nothing that exists. */
const SAMPLE_PARAMS: Record<string, string> = {
  id: "AAAAAAAAAAAAAAAAAAAAAA",
  username: uniqueUser("nobody"),
  action: "enable", // the harmless action, on a user that does not exist
};
const sample = (name: string) => SAMPLE_PARAMS[name] ?? "sample";

const BAD_SEGMENTS = {
  /** Not percent-encoding of UTF-8: 400 before any route runs. */
  undecodable: ["%", "%E0%A4%A", "%ZZ", "a%2", "%%30", "%FF", "%C0%AF"],
  /** Decodable, but nothing any route accepts. */
  odd: ["%00", "%2F", "%EF%BF%BF", "a".repeat(8000), "%F0%9F%92%A9", "x%20y", "-", "~"],
  /** Dot segments: the path is not in normal form; Next redirects to the normalised one (308). */
  dots: [".", "..", "%2e%2e", "%2E"],
};

const wrongTypes = JSON.stringify({ username: 42, key: ["k"], rememberMe: "maybe", reason: 7, logout_token: false, scope: 1 });
/** `absent`: no body at all, only a type; where the body is optional, that is no body (not an error). */
const BAD_BODIES: { name: string; type?: string; body: Buffer; absent?: true }[] = [
  { name: "invalid JSON", type: "application/json", body: Buffer.from("{not json") },
  { name: "empty JSON", type: "application/json", body: Buffer.from(""), absent: true },
  { name: "JSON of the wrong types", type: "application/json", body: Buffer.from(wrongTypes) },
  { name: "a JSON array", type: "application/json", body: Buffer.from("[1,2,3]") },
  { name: "JSON null", type: "application/json", body: Buffer.from("null") },
  { name: "invalid UTF-8", type: "application/json", body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
  { name: "20 kB of JSON", type: "application/json", body: Buffer.from(JSON.stringify({ reason: "x".repeat(20_000) })) },
  { name: "plain text", type: "text/plain", body: Buffer.from("reason=x") },
  { name: "XML", type: "application/xml", body: Buffer.from("<reason/>") },
  { name: "multipart", type: "multipart/form-data; boundary=x", body: Buffer.from("--x\r\n\r\n--x--\r\n") },
  { name: "a body without a type", body: Buffer.from("{}") },
];

const BAD_QUERIES = [
  "limit=-1&cursor=%E0%A4%A&from=yesterday&to=%00&sort=random&format=exe&type=%FF&match=fuzzy&method=magic&moreThan=x",
  `user=${"u".repeat(3000)}&next=//evil.example&reason=nope&scope=everything&confirm=no&code=%ZZ&state=`,
];

type Route = { file: string; pattern: string; segments: Segment[]; methods: string[]; catchAll: boolean };
type Segment = { literal: string } | { param: string; catchAll: boolean };

/** app/api/**\/route.ts, with the methods each file exports as handlers. */
function discoverRoutes(): Route[] {
  const root = path.join(process.cwd(), "app");
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/^route\.(ts|tsx|js)$/.test(entry.name)) files.push(full);
    }
  };
  walk(path.join(root, "api"));
  return files.sort().map((file) => {
    const dirs = path.relative(root, path.dirname(file)).split(path.sep).filter((d) => !/^\(.*\)$/.test(d));
    const segments: Segment[] = dirs.map((d) => {
      const match = d.match(/^\[{1,2}(\.\.\.)?([^\]]+)\]{1,2}$/);
      return match ? { param: match[2], catchAll: Boolean(match[1]) } : { literal: d };
    });
    const source = fs.readFileSync(file, "utf8");
    const methods = [...source.matchAll(/export\s+(?:const|(?:async\s+)?function)\s+([A-Z]+)\b/g)]
      .map((m) => m[1])
      .filter((m) => (ROUTE_METHODS as readonly string[]).includes(m));
    return {
      file: path.relative(process.cwd(), file),
      pattern: "/" + dirs.join("/"),
      segments,
      methods,
      catchAll: segments.some((s) => "param" in s && s.catchAll),
    };
  });
}

/** The route's address with each dynamic segment replaced; `replace` swaps in a bad value. */
function urlPath(route: Route, replace?: { index: number; value: string }): string {
  const parts = route.segments.map((s, i) => (replace?.index === i ? replace.value : "literal" in s ? s.literal : encodeURIComponent(sample(s.param))));
  if (replace && replace.index >= route.segments.length) parts.push(replace.value);
  return "/" + parts.join("/");
}

/** What the route serves: its handlers, HEAD with GET, and OPTIONS. */
function allowed(route: Route): string[] {
  const set = new Set(route.methods);
  if (set.has("GET")) set.add("HEAD");
  set.add("OPTIONS");
  return [...set].sort();
}

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string; target?: string };

// A client that sends exactly what it is given: no normalisation of the path, any method.
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const { hostname, port } = new URL(BASE_URL);

function send(method: string, target: string, options: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // With an explicit length: Node sends a DELETE body unframed otherwise.
    const headers = { ...options.headers, ...(options.body ? { "content-length": String(options.body.length) } : {}) };
    const request = http.request({ host: hostname, port, method, path: target, agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8"), target }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

/** CONNECT cannot go through http.request without becoming a tunnel; spoken over a plain socket. */
function sendConnect(target: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (data += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", body = ""] = data.split("\r\n\r\n");
      resolve({ status: Number(head.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0), headers: head, body });
    });
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`);
    setTimeout(() => socket.end(), 2000);
  });
}

/** Why this answer is not a proper API error, or null when it is. */
function notAJsonError(answer: { status: number; headers: http.IncomingHttpHeaders | string; body: string }, method: string): string | null {
  if (answer.status < 400 || answer.status > 499) return `status ${answer.status}`;
  if (method === "HEAD") return null;
  const type = typeof answer.headers === "string" ? answer.headers.match(/^content-type:\s*(.*)$/im)?.[1] : answer.headers["content-type"];
  if (!type?.startsWith("application/json")) return `${answer.status} with content-type ${type ?? "(none)"}: ${answer.body.slice(0, 80)}`;
  try {
    const error = (JSON.parse(answer.body) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof error?.code !== "string" || typeof error.message !== "string") return `${answer.status} without error.code/message: ${answer.body.slice(0, 120)}`;
  } catch {
    return `${answer.status} with a body that is not JSON: ${answer.body.slice(0, 80)}`;
  }
  if (/node_modules|at .*\(.*:\d+:\d+\)/.test(answer.body)) return "a stack trace in the body";
  return null;
}

/** Node's headers as the contract check takes them: one string each. */
const flat = (headers: http.IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : (value ?? "")]));

type Identity = { name: string; cookie?: string };

async function signIn(username: string, key: string): Promise<string> {
  const answer = await send("POST", "/api/auth/login", {
    headers: { "content-type": "application/json" },
    body: Buffer.from(JSON.stringify({ username, key, rememberMe: false })),
  });
  expect(answer.status, answer.body).toBe(200);
  const setCookie = ([] as string[]).concat(answer.headers["set-cookie"] ?? []);
  const cookie = setCookie.map((c) => c.split(";")[0]).find((c) => c.startsWith("session_token="));
  expect(cookie).toBeTruthy();
  return cookie!;
}

const routes = discoverRoutes();
let identities: Identity[] = [];
let validCookieValue = "";

test.describe("bad requests to every API route", () => {
  test.beforeAll(async () => {
    const user = await signIn(uniqueUser("badreq"), USER_KEY);
    const admin = await signIn("root", ADMIN_KEY);
    validCookieValue = user.slice("session_token=".length);
    identities = [{ name: "anonymous" }, { name: "user", cookie: user }, { name: "admin", cookie: admin }];
  });
  test.afterAll(() => agent.destroy());

  test("the route files are found", () => {
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) expect(route.methods.length + (route.catchAll ? 1 : 0), `${route.file} exports no handler`).toBeGreaterThan(0);
  });

  for (const route of routes) {
    test(`${route.pattern} (${route.methods.join(", ") || "catch-all"})`, async () => {
      const problems: string[] = [];
      const allow = allowed(route);
      const served = route.catchAll ? [...ROUTE_METHODS] : route.methods;
      const contract = await describedAnswers();
      const check = (what: string, answer: Answer, method: string, expected?: (a: Answer) => string | null) => {
        const problem = expected ? expected(answer) : notAJsonError(answer, method);
        if (problem) problems.push(`${what}: ${problem}`);
        // And as the OpenAPI description says (what it cannot know of: methods Node does not parse).
        const unlike =
          answer.target && !GARBAGE_METHODS.includes(method)
            ? contract({ method, url: `${BASE_URL}${answer.target}`, status: answer.status, headers: flat(answer.headers), body: answer.body })
            : null;
        if (unlike) problems.push(`${what}: not as described: ${unlike}`);
      };
      /** A catch-all stands for addresses where nothing is: 404 whatever is asked. */
      const missing = (method: string) => (a: Answer) => notAJsonError(a, method) ?? (a.status === 404 ? null : `status ${a.status}, expected 404`);

      for (const identity of identities) {
        const cookie = identity.cookie ? { cookie: identity.cookie } : undefined;
        const as = (what: string) => `${identity.name} ${what}`;

        // Methods the route does not serve: 405 with the route's Allow, whoever asks.
        if (!route.catchAll) {
          for (const method of [...ROUTE_METHODS.filter((m) => !allow.includes(m)), ...FOREIGN_METHODS]) {
            const answer = await send(method, urlPath(route), { headers: cookie });
            check(as(`${method} ${urlPath(route)}`), answer, method, (a) => {
              const problem = notAJsonError(a, method);
              if (problem) return problem;
              if (a.status !== 405) return `status ${a.status}, expected 405`;
              if (a.headers.allow !== allow.join(", ")) return `Allow "${a.headers.allow ?? ""}", expected "${allow.join(", ")}"`;
              return null;
            });
          }
          const options = await send("OPTIONS", urlPath(route), { headers: cookie });
          if (options.status !== 204 || options.headers.allow !== allow.join(", ")) {
            problems.push(as(`OPTIONS: ${options.status} Allow "${options.headers.allow ?? ""}", expected 204 "${allow.join(", ")}"`));
          }
        } else {
          for (const method of [...ROUTE_METHODS, ...FOREIGN_METHODS]) {
            check(as(`${method} ${urlPath(route)}`), await send(method, urlPath(route), { headers: cookie }), method, missing(method));
          }
        }

        for (const method of served) {
          if (identity.cookie && ENDS_THE_SESSION.has(`${method} ${route.pattern}`)) continue;
          const fine = NOT_AN_ERROR[route.pattern]?.[method];
          const expectation = route.catchAll ? missing(method) : fine ? (a: Answer) => (a.status === fine ? null : `status ${a.status}, expected ${fine}`) : undefined;

          // Bad bodies, for the methods that carry one.
          if (BODY_METHODS.has(method)) {
            for (const { name, type, body, absent } of BAD_BODIES) {
              const headers = { ...cookie, ...(type ? { "content-type": type } : {}) };
              const bodyExpectation = READS_ITS_BODY.has(`${method} ${route.pattern}`) && !absent ? undefined : expectation;
              check(as(`${method} with ${name}`), await send(method, urlPath(route), { headers, body }), method, bodyExpectation);
            }
          }
          // Bad query strings. A change is refused; a read may ignore parameters it does not take.
          for (const query of BAD_QUERIES) {
            const answer = await send(method, `${urlPath(route)}?${query}`, { headers: cookie });
            const lenient = !BODY_METHODS.has(method) && !expectation;
            check(as(`${method} ?${query.slice(0, 40)}…`), answer, method, lenient ? (a) => (a.status < 400 ? null : notAJsonError(a, method)) : expectation);
          }
          // Bad path segments: in place of each dynamic segment, or after the last one.
          const positions = route.segments.flatMap((s, i) => ("param" in s ? [i] : []));
          for (const index of positions.length > 0 ? positions : [route.segments.length]) {
            for (const value of BAD_SEGMENTS.undecodable) {
              const target = urlPath(route, { index, value });
              check(as(`${method} ${target}`), await send(method, target, { headers: cookie }), method, (a) =>
                notAJsonError(a, method) ?? (a.status === 400 ? null : `status ${a.status}, expected 400`),
              );
            }
            for (const value of BAD_SEGMENTS.odd) {
              const target = urlPath(route, { index, value });
              check(as(`${method} ${target.slice(0, 80)}`), await send(method, target, { headers: cookie }), method);
            }
            for (const value of BAD_SEGMENTS.dots) {
              const target = urlPath(route, { index, value });
              // "/api/.." is the home page, not an API address.
              if (!/^\/api(\/|$)/.test(new URL(target.replace(/%2e/gi, "."), BASE_URL).pathname)) continue;
              check(as(`${method} ${target}`), await send(method, target, { headers: cookie }), method, (a) =>
                a.status === 308 && !/(^|\/)(\.|%2e)/i.test(String(a.headers.location)) ? null : notAJsonError(a, method),
              );
            }
          }
        }
      }

      // Bad cookies, under both names the session cookie may have: the same answer as no cookie.
      const tampered = validCookieValue.replace(/^./, (c) => (c === "a" ? "b" : "a"));
      const badCookies = ["garbage", "", "a.b.c", "%00%ff", "x".repeat(5000), tampered, `${validCookieValue}x`, `${validCookieValue}.junk`, validCookieValue.split(".")[0]];
      for (const method of served) {
        if (method === "HEAD") continue;
        const anonymous = await send(method, urlPath(route));
        for (const name of ["session_token", "__Host-session_token"]) {
          for (const value of badCookies) {
            const answer = await send(method, urlPath(route), { headers: { cookie: `${name}=${value}` } });
            const what = `${method} with cookie ${name}=${value.slice(0, 24)}${value.length > 24 ? "…" : ""}`;
            if (answer.status !== anonymous.status) problems.push(`${what}: status ${answer.status}, anonymous got ${anonymous.status}`);
            if (answer.status >= 400) check(what, answer, method);
          }
        }
      }

      // Methods that are no HTTP method at all, and CONNECT.
      for (const method of GARBAGE_METHODS) {
        const answer = await send(method, urlPath(route)).catch((error: Error) => ({ status: 0, headers: {}, body: String(error) }));
        check(`${method} ${urlPath(route)}`, answer, method, (a) => notAJsonError(a, method) ?? (a.status === 400 ? null : `status ${a.status}, expected 400`));
      }
      const connect = await sendConnect(urlPath(route));
      const connectProblem = notAJsonError({ ...connect, headers: connect.headers }, "CONNECT") ?? (connect.status === 405 ? null : `status ${connect.status}, expected 405`);
      if (connectProblem) problems.push(`CONNECT ${urlPath(route)}: ${connectProblem}`);

      expect(problems, `${route.file}:\n${problems.join("\n")}`).toEqual([]);
    });
  }

  test("files served as they are (public/ and the built assets) refuse other methods than GET and HEAD with 405", async () => {
    const publicDir = path.join(process.cwd(), "public");
    const files = fs
      .readdirSync(publicDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => "/" + path.relative(publicDir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"));
    const asset = (await send("GET", "/login")).body.match(/\/_next\/static\/[^"]+\.js/)?.[0];
    expect(files).toEqual(expect.arrayContaining(["/favicon.ico", "/robots.txt"]));
    expect(asset).toBeTruthy();
    const problems: string[] = [];
    for (const target of [...files, asset!]) {
      for (const method of ["GET", "HEAD"]) {
        const answer = await send(method, target);
        if (answer.status !== 200) problems.push(`${method} ${target}: status ${answer.status}`);
      }
      for (const method of [...ROUTE_METHODS.filter((m) => m !== "GET" && m !== "HEAD"), ...FOREIGN_METHODS]) {
        const answer = await send(method, target, { headers: { "content-type": "application/json" }, body: Buffer.from("{}") });
        const problem = notAJsonError(answer, method) ?? (answer.status === 405 && answer.headers.allow === "GET, HEAD" ? null : `${answer.status} Allow "${answer.headers.allow ?? ""}"`);
        if (problem) problems.push(`${method} ${target}: ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("CONNECT to a host and a request Node cannot parse are JSON errors too", async () => {
    const connect = await sendConnect(`${hostname}:${port}`);
    expect(connect.status).toBe(405);
    expect(JSON.parse(connect.body).error.code).toBe("method_not_allowed");
    const answer = await send("GET", "/api/health", { headers: { "content-length": "x" } }).catch((error: Error) => ({ status: 0, headers: {}, body: String(error) }));
    expect(notAJsonError(answer, "GET")).toBeNull();
  });

  test("a request target that is not a path (OPTIONS *, an absolute URL) is 400, never a 500 or a redirect elsewhere", async () => {
    for (const [method, target] of [
      ["OPTIONS", "*"],
      ["GET", "*"],
      ["GET", "http://evil.example/api/health"],
      ["POST", "https://evil.example/login"],
    ] as const) {
      const answer = await send(method, target);
      expect(answer.status, `${method} ${target}`).toBe(400);
      expect(answer.headers.location, `${method} ${target}`).toBeUndefined();
      expect(JSON.parse(answer.body)).toEqual({ error: { code: "bad_request", message: expect.any(String) } });
    }
  });

  test("page posts Next.js would fail on are refused with a 4xx that says why: another Host, not a form, too large", async () => {
    const origin = new URL(BASE_URL).origin;
    const form = { origin, "content-type": "multipart/form-data; boundary=zz" };
    const body = Buffer.from('--zz\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--zz--\r\n');
    for (const [headers, status, code] of [
      [{ ...form, host: "evil.example" }, 400, "host_mismatch"],
      [{ ...form, "x-forwarded-host": "evil.example" }, 400, "host_mismatch"],
      // Not a browser page (no Origin): the same rule.
      [{ "content-type": form["content-type"], host: "evil.example" }, 400, "host_mismatch"],
      [{ origin, "content-type": "multipart/form-data" }, 415, "unsupported_media_type"],
      [{ origin, "content-type": "application/json" }, 415, "unsupported_media_type"],
      // A form's other encodings: no form of this app's posts them, and they name no action.
      [{ origin, "content-type": "application/x-www-form-urlencoded" }, 415, "unsupported_media_type"],
      [{ origin, "content-type": "text/plain" }, 415, "unsupported_media_type"],
      [{ origin }, 415, "unsupported_media_type"],
    ] as const) {
      const answer = await send("POST", "/login", { headers, body });
      expect(answer.status, JSON.stringify(headers)).toBe(status);
      expect(JSON.parse(answer.body).error.code, JSON.stringify(headers)).toBe(code);
    }
    const large = await send("POST", "/login", { headers: form, body: Buffer.alloc(1024 * 1024 + 1, "a") });
    expect(large.status).toBe(413);
    expect(JSON.parse(large.body).error.code).toBe("payload_too_large");
  });

  test("a page post whose body Next.js cannot read (not a multipart form, or a server action's arguments that are not a JSON array) is a 4xx, never a 500", async () => {
    const origin = new URL(BASE_URL).origin;
    // A server action the build really has (the ids are public: forms carry them in their markup).
    const manifest = JSON.parse(fs.readFileSync(path.join(".next", "server", "server-reference-manifest.json"), "utf8")) as { node: Record<string, unknown> };
    const actionId = Object.keys(manifest.node)[0];
    const multipart = (fields: string) => ({ type: "multipart/form-data; boundary=zz", body: Buffer.from(`${fields}--zz--\r\n`) });
    const field = (name: string, value: string) => `--zz\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const cases: { name: string; type: string; body: Buffer; action?: boolean }[] = [
      { name: "garbage claiming to be multipart", type: "multipart/form-data; boundary=zz", body: Buffer.from("garbage garbage") },
      { name: "multipart without its closing boundary", type: "multipart/form-data; boundary=zz", body: Buffer.from(field("a", "b")) },
      { name: "multipart with another boundary", type: "multipart/form-data; boundary=other", body: multipart(field("a", "b")).body },
      { name: "an action's multipart arguments that are not JSON", ...multipart(field("0", "%garbage")), action: true },
      { name: "an action's multipart body without its arguments", ...multipart(field("1_sessionId", "x")), action: true },
      { name: "an action's text arguments that are not JSON", type: "text/plain;charset=UTF-8", body: Buffer.from("%%%garbage{{["), action: true },
      { name: "an action with an empty body", type: "text/plain;charset=UTF-8", body: Buffer.from(""), action: true },
      { name: "an action's arguments that are JSON but not a list", type: "text/plain;charset=UTF-8", body: Buffer.from('"x"'), action: true },
      // React sends a call as text only when no argument is a form, and every action here takes a form.
      { name: "an action's text arguments that refer to another part", type: "text/plain;charset=UTF-8", body: Buffer.from('["$1"]'), action: true },
      { name: "an action's arguments as a form in other letters", type: "Multipart/Form-Data; boundary=zz", body: multipart(field("0", '["$K1"]')).body, action: true },
      { name: "an action's arguments urlencoded", type: "application/x-www-form-urlencoded; charset=UTF-8", body: Buffer.from("a=b"), action: true },
      { name: "an action's arguments twice", ...multipart(field("0", '["$K1"]') + field("0", "{")), action: true },
      {
        name: "an action's arguments as a file",
        ...multipart('--zz\r\nContent-Disposition: form-data; name="0"; filename="x"\r\n\r\n["$K1"]\r\n'),
        action: true,
      },
      {
        name: "an action's arguments in another charset",
        ...multipart('--zz\r\nContent-Disposition: form-data; name="0"\r\nContent-Type: text/plain; charset=utf-16le\r\n\r\n["$K1"]\r\n'),
        action: true,
      },
      {
        name: "an action's form with a base64 file",
        ...multipart(field("0", '["$K1"]') + '--zz\r\nContent-Disposition: form-data; name="_1_x"; filename="a"\r\nContent-Transfer-Encoding: base64\r\n\r\nQUJD\r\n'),
        action: true,
      },
      {
        name: "an action's form cut off inside a file",
        type: "multipart/form-data; boundary=zz",
        body: Buffer.from(`${field("0", '["$K1"]')}--zz\r\nContent-Disposition: form-data; name="_1_x"; filename="a"\r\n\r\nABCDEF`),
        action: true,
      },
      { name: "an action's form with a field React reads as its arguments", ...multipart(field("0", '["$K1"]') + field("00", "x")), action: true },
      { name: "a form without script naming a bound action", ...multipart(field("$ACTION_REF_1", "") + field("$ACTION_1:0", `{"id":"${actionId}",x`)) },
      { name: "a form without script naming no action", ...multipart(field("x", "1")) },
    ];
    for (const target of ["/login", "/settings/sessions"]) {
      for (const { name, type, body, action } of cases) {
        const headers = { origin, "content-type": type, ...(action ? { "next-action": actionId } : {}) };
        const answer = await send("POST", target, { headers, body });
        // Not multipart at all: no form of this app's (415). Multipart, but not their shape: 400.
        const [status, code] = /^multipart\/form-data;/i.test(type) ? [400, "malformed_form"] : [415, "unsupported_media_type"];
        expect(answer.status, `${name} to ${target}: ${answer.body.slice(0, 200)}`).toBe(status);
        expect(JSON.parse(answer.body).error.code, name).toBe(code);
      }
    }
    // A chunked post (no Content-Length) counts by what it sends.
    const chunked = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        { host: hostname, port, method: "POST", path: "/settings/sessions", agent, headers: { origin, "content-type": "multipart/form-data; boundary=zz", "next-action": actionId } },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode ?? 0));
        },
      );
      request.on("error", reject);
      for (let i = 0; i < 5; i++) request.write(Buffer.alloc(300 * 1024, "a"));
      request.end();
    });
    expect(chunked).toBe(413);
  });

  test("a form sent from a page loaded before an update, naming an action this build does not have, gets a page that says so", async () => {
    const origin = new URL(BASE_URL).origin;
    const field = (name: string, value: string) => `--zz\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    // As a browser without script posts it: the form's fields and the old action's id.
    const stale = { "$ACTION_ID_7f0000000000000000000000000000000000000000": "", sessionId: "AAAAAAAAAAAAAAAAAAAAAA" };
    for (const target of ["/login", "/settings/sessions?confirm=others"]) {
      const body = Buffer.from(`${Object.entries(stale).map(([name, value]) => field(name, value)).join("")}--zz--\r\n`);
      const answer = await send("POST", target, { headers: { origin, "content-type": "multipart/form-data; boundary=zz" }, body });
      expect(answer.status, target).toBe(409);
      expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(answer.body).toContain("<h1>This page was out of date</h1>");
      expect(answer.body).toContain("Nothing was changed.");
      expect(answer.body).toContain(`<a href="${target.replace("&", "&amp;")}">Open the page again</a>`);
    }
  });

  test("a page request with a router-state header Next.js cannot parse is 400, never a 500", async () => {
    const admin = identities.find((identity) => identity.name === "admin")?.cookie;
    const garbage = ["garbage", "%", "%ff", "{}", "[]", "null", '"str"', "[1,2,3]", encodeURIComponent('["",{"children":["__PAGE__",{}]},null,null,true]')];
    for (const target of ["/login?_rsc=x", "/settings/sessions?_rsc=x", "/admin?_rsc=x", "/nowhere?_rsc=x"]) {
      for (const state of garbage) {
        for (const method of ["GET", "HEAD"]) {
          // Next first sends an RSC request with a stale cache-busting `_rsc` to its current one.
          const ask = async (url: string, hops = 0): Promise<Answer> => {
            const answer = await send(method, url, { headers: { rsc: "1", "next-router-state-tree": state, ...(admin ? { cookie: admin } : {}) } });
            const location = answer.headers.location;
            return answer.status === 307 && typeof location === "string" && hops < 3 ? ask(location, hops + 1) : answer;
          };
          const answer = await ask(target);
          expect(answer.status, `${method} ${target} with ${state}: ${answer.body.slice(0, 100)}`).toBe(400);
          if (method === "GET") expect(JSON.parse(answer.body).error.code).toBe("malformed_router_state");
        }
      }
    }
    // The header as Next's own router sends it still renders.
    const valid = encodeURIComponent(JSON.stringify(["", { children: ["login", { children: ["__PAGE__", {}] }] }, null, null]));
    const first = await send("GET", "/login?_rsc=x", { headers: { rsc: "1", "next-router-state-tree": valid } });
    const answer = first.status === 307 ? await send("GET", String(first.headers.location), { headers: { rsc: "1", "next-router-state-tree": valid } }) : first;
    expect(answer.status).toBe(200);
  });

  test("every server action, called by a script with arguments that are not its form, is refused without a 500", async () => {
    const origin = new URL(BASE_URL).origin;
    const manifest = JSON.parse(fs.readFileSync(path.join(".next", "server", "server-reference-manifest.json"), "utf8")) as {
      node: Record<string, { workers: Record<string, unknown> }>;
    };
    // The address of a page that has the action: "app/(app)/admin/sessions/[id]/page" → /admin/sessions/<id>.
    const pageAddress = (worker: string) =>
      worker
        .replace(/^app/, "")
        .replace(/\/\([^)]*\)/g, "")
        .replace(/\/page$/, "")
        .replace(/\[\.\.\.[^\]]+\]/g, "nothing")
        .replace(/\[([^\]]+)\]/g, (_, name: string) => sample(name)) || "/";
    const admin = identities.find((identity) => identity.name === "admin")?.cookie;
    expect(admin).toBeTruthy();
    // Values, then references to parts the body does not have (a Map, a server reference, a Blob, a promise).
    const bodies = ["[]", "[1]", '"x"', "{}", "[null]", "[[]]", '[{"sessionId":"x"}]', '["$Q1"]', '["$F1"]', '["$B1"]', '["$@1"]', '[{"a":["$W2"]}]'];
    expect(Object.keys(manifest.node).length).toBeGreaterThan(0);
    for (const [actionId, { workers }] of Object.entries(manifest.node)) {
      const target = pageAddress(Object.keys(workers)[0]);
      for (const body of bodies) {
        const headers = { origin, cookie: admin!, "content-type": "text/plain;charset=UTF-8", "next-action": actionId };
        const answer = await send("POST", target, { headers, body: Buffer.from(body) });
        expect(answer.status, `action ${actionId} on ${target} with ${body}: ${answer.body.slice(0, 200)}`).toBeLessThan(500);
      }
    }
  });

  test("the issue's examples: undecodable paths are 400 and TRACE is 405, even signed out", async () => {
    for (const [method, target] of [
      ["DELETE", "/api/sessions/%E0%A4%A"],
      ["DELETE", "/api/sessions/%"],
      ["DELETE", "/api/admin/sessions/%ZZ"],
      ["GET", "/settings/%ZZ"],
    ] as const) {
      const answer = await send(method, target);
      expect(answer.status, `${method} ${target}`).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({ error: { code: "bad_request", message: expect.any(String) } });
    }
    // A browser opening such a page address gets a page that says what is wrong, not the API's JSON.
    for (const target of ["/settings/sessions/%ff", "/admin/sessions/%E0%A4%A", "/%zz"]) {
      const answer = await send("GET", target, { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
      expect(answer.status, target).toBe(400);
      expect(answer.headers["content-type"], target).toBe("text/html; charset=utf-8");
      expect(answer.headers["content-security-policy"], target).toContain("default-src 'none'");
      expect(answer.body, target).toContain("<h1>This address is not valid</h1>");
      expect(answer.body, target).toContain('<a href="/">');
    }
    // The API's addresses answer JSON whatever is asked for.
    const api = await send("GET", "/api/sessions/%ff", { headers: { accept: "text/html" } });
    expect(api.status).toBe(400);
    expect(JSON.parse(api.body).error.code).toBe("bad_request");
    for (const target of ["/api/health", "/", "/login", "/settings/sessions", "/no-such-page"]) {
      const answer = await send("TRACE", target, { headers: { cookie: "session_token=x" } });
      expect(answer.status, `TRACE ${target}`).toBe(405);
      expect(answer.headers.allow, `TRACE ${target}`).toBeTruthy();
      expect(JSON.parse(answer.body).error.code).toBe("method_not_allowed");
      expect(answer.body).not.toContain("session_token");
    }
  });
});
