// Production entry point: Next's request handler behind a plain Node HTTP server, so the app
// learns each request's real socket address. Next alone only exposes X-Forwarded-For, which any
// client can forge; rate limiting and the session list need the address the connection came from.
//
//   node server.mjs [-p|--port PORT] [-H|--hostname HOST]     (npm start -- -p 8080 -H 127.0.0.1)
//
// The flags are those of `next start`; without them PORT and BIND_HOST apply (3000, 0.0.0.0).
// It logs one JSON line per request (pino, shared with the app through server/log.mjs) and gives
// every request an id (X-Request-Id), echoed in the answer.
import { readdirSync } from "node:fs";
import { createServer, STATUS_CODES } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import next from "next";
// Next.js's own reader of its router-state header: what passes here is exactly what its renderer accepts.
import { parseAndValidateFlightRouterState } from "next/dist/server/app-render/parse-and-validate-flight-router-state.js";
import { parseLogLevel, parseTrustProxy } from "./server/env-rules.mjs";
import { createLogger, flushLogs, installLogger, routeConsoleTo } from "./server/log.mjs";
import { REQUEST_ID_HEADER, requestIdFor } from "./server/request-id.mjs";
import { routeNamerFor } from "./server/route-names.mjs";
import { STRICT_TRANSPORT_SECURITY, isHttpsUrl } from "./server/transport-security.mjs";
import { requestScope } from "./server/request-scope.mjs";
import { answerDirectly } from "./server/direct-answer.mjs";
import { answersOf } from "./server/answers.mjs";
import { answerStaleFormsWithAPage } from "./server/stale-form.mjs";
import { badAddressPage, wantsPage } from "./server/bad-address.mjs";
import { listenUrl } from "./server/listen-url.mjs";
import { runShutdownSteps } from "./server/shutdown-steps.mjs";

// Plain JavaScript, run by Node without a build, so it cannot import lib/ (TypeScript, and not in the
// production runtime); server/ holds the plain modules it shares with the app. These names mirror
// PEER_HEADER in lib/request/request-info.ts and ROUTE_METHODS / REFUSED_METHOD_HEADER in
// lib/http/methods.ts, and the few answers written here keep the API's error shape by hand.
const PEER_HEADER = "x-sessionboard-peer";
// lib/lifecycle.ts: the state shared with the app (readiness, the timeout, the app's shutdown hooks).
const LIFECYCLE = Symbol.for("sessionboard.lifecycle");
// lib/metrics/metrics.ts: the app's Prometheus registry, and where the app, once it has validated
// DASHBOARD_METRICS_PORT (lib/config.ts), asks for the second listener to be opened.
const METRICS = Symbol.for("sessionboard.metrics");
const METRICS_LISTENER = Symbol.for("sessionboard.metrics-listener");
// lib/http/direct-route.ts: the GET routes answered here with their own handler, by exact path.
const DIRECT_ROUTES = Symbol.for("sessionboard.direct-routes");
// REQUEST_PATH_HEADER in lib/http/request-path.ts: set by the proxy for pages.
const PATH_HEADER = "x-sessionboard-path";
const REFUSED_METHOD_HEADER = "x-sessionboard-refused-method";
// What Next's client router sends with its page requests: the tree of segments it shows now.
const ROUTER_STATE_HEADER = "next-router-state-tree";
const ROUTE_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

/** Next's files (scripts, styles, its 404 page for one that is missing): nothing in them runs from a page of theirs. */
const FILES_CSP = "default-src 'none'; frame-ancestors 'none'";

const USAGE = "Usage: npm start -- [-p|--port PORT] [-H|--hostname HOST]";

/** Port and host from the flags, else PORT / BIND_HOST; anything else on the command line is refused. */
function listenOptions(argv, env) {
  // The command line's own answers are for the person who typed it, plain text like any command's,
  // written before there is a server to log anything.
  const usageError = (message) => {
    process.stderr.write(`${message}\n${USAGE}\n`);
    process.exit(2);
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: "string", short: "p" },
        hostname: { type: "string", short: "H" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return usageError(error.message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const port = values.port ?? env.PORT ?? "3000";
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    return usageError(`Invalid port "${port}"${values.port === undefined ? " (from PORT)" : ""}: give a number from 0 to 65535`);
  }
  // Any free port: the dashboard's own address (the cookie, the same-origin rule) is then unknown.
  if (Number(port) === 0 && !env.DASHBOARD_URL) return usageError("Port 0 (any free port) needs DASHBOARD_URL, the address clients will use");
  const hostname = values.hostname ?? env.BIND_HOST ?? "0.0.0.0";
  if (hostname.trim() === "") return usageError("The hostname must not be empty");
  return { port: Number(port), hostname };
}

// On an https deployment (DASHBOARD_URL; lib/config.ts checks it), every answer carries
// Strict-Transport-Security: the app's pages and API set it themselves, this file on the rest.
const httpsDeployment = isHttpsUrl(process.env.DASHBOARD_URL);
const strictTransport = httpsDeployment ? { "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY } : {};

/** The headers and body of an answer written here, with what every such answer carries. */
function plainAnswer(body, contentType, headers = {}) {
  return {
    body,
    headers: {
      "Content-Type": contentType,
      "Content-Length": String(Buffer.byteLength(body)),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      ...strictTransport,
      ...headers,
    },
  };
}

/** An error answered here, in the API's shape. */
const errorAnswer = (code, message, headers = {}) => plainAnswer(JSON.stringify({ error: { code, message } }), "application/json", headers);

/** An answer written straight to the socket, for requests that never reach Next (logged here). */
function refuse(socket, status, code, message, headers = {}, method = undefined) {
  const requestId = requestIdFor(undefined, 0);
  logAccess({ requestId, method, status, durationMs: 0 }, "request refused before parsing");
  if (!socket.writable) return socket.destroy();
  const answer = errorAnswer(code, message, { ...headers, "X-Request-Id": requestId, Connection: "close" });
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status]}`, ...Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`)];
  socket.end(`${head.join("\r\n")}\r\n\r\n${answer.body}`);
}

/**
 * Addresses Next serves from the file system — public/ and its own assets. It means to answer other
 * methods than GET and HEAD with 405, but renders a /405 page the App Router does not have: a 500.
 */
function fileAddresses(dir) {
  let files = [];
  try {
    files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  } catch {
    // no public/ directory
  }
  const paths = new Set(files.map((entry) => "/" + path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/")));
  return (pathname) => {
    if (pathname.startsWith("/_next/static/") || pathname === "/_next/image") return true;
    try {
      return paths.has(decodeURIComponent(pathname));
    } catch {
      return false;
    }
  };
}

const { port, hostname } = listenOptions(process.argv.slice(2), process.env);
// lib/config.ts derives DASHBOARD_URL's default (http://localhost:PORT) from PORT.
process.env.PORT = String(port);

// The app checks these variables again at start-up (lib/config.ts, by the same rules) and stops on
// a bad value, naming it; until then the defaults apply.
const log = installLogger(createLogger({ level: parseLogLevel(process.env.DASHBOARD_LOG_LEVEL) ?? "info" }));
const trustedProxyHops = parseTrustProxy(process.env.DASHBOARD_TRUST_PROXY) ?? 0;
// What Next.js itself prints (warnings, errors it caught) becomes JSON lines too.
routeConsoleTo(log);
// Node's own warnings (deprecations and the like) too: its default printer is a 'warning' listener.
process.removeAllListeners("warning");
process.on("warning", (warning) => log.warn({ err: warning }, warning.message));
process.on("uncaughtException", (error) => {
  log.fatal({ err: error }, `Uncaught exception: ${error?.message ?? String(error)}`);
  process.exit(1);
});

/** The access line: one per request, at info. Never headers, cookies or the query string. */
function logAccess(fields, message = "request completed") {
  log.info(fields, message);
}

/** The path (already without its query string, which may carry a sign-in code or state), at most 1,024 characters. */
const loggedPath = (pathname) => pathname.slice(0, 1024);

/**
 * The second listener (DASHBOARD_METRICS_PORT): GET /metrics in Prometheus's text format, nothing
 * else. No token here: the port is meant for a private network that only Prometheus reaches; it
 * binds to the same address as the app (BIND_HOST / -H).
 */
function answerMetrics(req, res) {
  const refuseWith = (status, code, message, headers) => {
    const answer = errorAnswer(code, message, headers);
    res.writeHead(status, answer.headers).end(answer.body);
  };
  if ((req.url ?? "/").split("?")[0] !== "/metrics") return refuseWith(404, "not_found", "There is nothing at this address");
  if (req.method !== "GET" && req.method !== "HEAD") {
    return refuseWith(405, "method_not_allowed", `${req.method} is not allowed here; this address accepts GET, HEAD`, { Allow: "GET, HEAD" });
  }
  const { registry } = globalThis[METRICS];
  registry.metrics().then(
    (body) => {
      res.writeHead(200, { "Content-Type": registry.contentType, "Content-Length": String(Buffer.byteLength(body)), "Cache-Control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
    },
    (error) => {
      log.error({ err: error }, "Collecting the metrics failed");
      refuseWith(500, "internal_error", "Something went wrong");
    },
  );
}

let metricsServer = null;
globalThis[METRICS_LISTENER] = (metricsPort) => {
  if (metricsServer) return;
  metricsServer = createServer(answerMetrics);
  metricsServer.on("error", (error) => {
    log.fatal({ err: error }, `Sessionboard cannot serve metrics on ${hostname}:${metricsPort} (DASHBOARD_METRICS_PORT): ${error.message}`);
    process.exit(1);
  });
  metricsServer.listen(metricsPort, hostname, () => {
    const url = listenUrl(hostname, metricsPort, "/metrics");
    log.info({ url }, `Sessionboard metrics on ${url}`);
  });
};

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();
// The app reads its configuration and opens the database in its instrumentation hook, which Next
// runs after prepare() returns: listen once that is done, so a bad setting stops start-up before
// anything is announced or served.
const appStarted = new Promise((resolve) => (lifecycle().started = resolve));
await app.prepare();
await appStarted;

const isFileAddress = fileAddresses(path.join(process.cwd(), "public"));
const routeOf = routeNamerFor(path.join(process.cwd(), ".next"), isFileAddress);

/**
 * Whether the path's percent-encoding decodes to UTF-8. Next decodes route parameters with
 * decodeURIComponent and answers 500 when that throws ("%", "%E0%A4%A", "%FF"); such a path names
 * nothing here, so it is refused with 400 before Next sees it — pages and API alike.
 */
function isDecodablePath(pathname) {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether Next can read the router-state header. One it cannot makes it throw while rendering the
 * page — a 500 and a stack in the log for anyone who sends one — and the proxy never sees it (Next
 * hides its router's headers from the proxy), so it is checked here, on the few requests that carry one.
 */
function isReadableRouterState(state) {
  try {
    parseAndValidateFlightRouterState(state);
    return true;
  } catch {
    return false;
  }
}

const server = createServer((req, res) => {
  const started = performance.now();
  // Behind a trusted proxy, its id (nginx: $request_id); otherwise a new one. The app reads it from
  // the header, the client gets it back in every answer.
  const request = { requestId: requestIdFor(req.headers[REQUEST_ID_HEADER], trustedProxyHops), sessionId: null, status: null };
  req.headers[REQUEST_ID_HEADER] = request.requestId;
  res.setHeader("X-Request-Id", request.requestId);
  const method = req.method;
  // Read before Next handles the request (it may rewrite req.url).
  const pathname = (req.url ?? "/").split("?")[0];
  answers.track(req, res, () =>
    logAccess(
      {
        requestId: request.requestId,
        method,
        path: loggedPath(pathname),
        route: routeOf(pathname),
        // An answer that never began has no status (Node's statusCode would read 200).
        status: res.headersSent ? res.statusCode : null,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        // The public id of the session the request came with, which the app noted (server/request-scope.mjs).
        ...(request.sessionId ? { sessionId: request.sessionId } : {}),
      },
      res.writableFinished ? "request completed" : "request aborted",
    ),
  );
  // During a shutdown, each answer closes its kept-alive connection, so none is left for a client
  // to send its next request on.
  if (lifecycle().shuttingDown) res.shouldKeepAlive = false;
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "";
  // Headers only the proxy (and this file) may set: a client's own never reach the app.
  // (`delete` only when present: it turns the headers object into a slower dictionary.)
  if (req.headers[REFUSED_METHOD_HEADER] !== undefined) delete req.headers[REFUSED_METHOD_HEADER];
  if (req.headers[PATH_HEADER] !== undefined) delete req.headers[PATH_HEADER];
  // Only a path ("origin-form"): Next reads "*" (OPTIONS *) as a URL and fails with a 500, and
  // follows an absolute URL in the request line ("GET http://elsewhere/…") to another host.
  if (!pathname.startsWith("/")) {
    const answer = errorAnswer("bad_request", "The request target must be a path starting with /");
    res.writeHead(400, answer.headers).end(answer.body);
    return;
  }
  if (!isDecodablePath(pathname)) {
    const page = wantsPage(pathname, req.headers.accept) ? badAddressPage() : null;
    const refused = page
      ? plainAnswer(page.body, "text/html; charset=utf-8", { "Content-Security-Policy": page.csp })
      : errorAnswer("bad_request", "The address is not valid percent-encoded UTF-8");
    res.writeHead(400, refused.headers).end(refused.body);
    return;
  }
  const routerState = req.headers[ROUTER_STATE_HEADER];
  if (routerState !== undefined && !isReadableRouterState(routerState)) {
    const answer = errorAnswer("malformed_router_state", "The Next-Router-State-Tree header is not one this dashboard's pages send");
    res.writeHead(400, answer.headers).end(answer.body);
    return;
  }
  // Asked only when the answer depends on it: not on the plain GETs of an http deployment.
  const readOnly = req.method === "GET" || req.method === "HEAD";
  const file = (httpsDeployment || !readOnly) && isFileAddress(pathname);
  // Files never pass through the proxy or the API wrapper, which set it for the app's own answers.
  if (file && httpsDeployment) res.setHeader("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  if (!readOnly && file) {
    const answer = errorAnswer("method_not_allowed", `${req.method} is not allowed here; this address accepts GET, HEAD`, { Allow: "GET, HEAD" });
    res.writeHead(405, answer.headers).end(answer.body);
    return;
  }
  if (!ROUTE_METHODS.has(req.method)) {
    // Next fails with a 500 on a method it does not know (fetch's Request refuses TRACE outright).
    // Passed on as OPTIONS, the route (or, for pages, the proxy) answers 405 with what it serves.
    req.headers[REFUSED_METHOD_HEADER] = req.method;
    req.method = "OPTIONS";
  }
  // Next's own files and image endpoint never pass through the proxy, which gives pages their CSP: its
  // 404 page for a file that is not there would go out with none (and with scripts it cannot run).
  if (pathname.startsWith("/_next/")) res.setHeader("Content-Security-Policy", FILES_CSP);
  // A page that answers with a status of its own (a 404 or 403 drawn by the page itself, which Next
  // renders into the HTML, where notFound() and forbidden() give an empty body without JavaScript)
  // notes it in the request's scope; Next writes 200 for it.
  // (Next's own 404 for a missing file is drawn by that page too.)
  if (!pathname.startsWith("/api/")) {
    answerStaleFormsWithAPage(req, res);
    const writeHead = res.writeHead;
    res.writeHead = function writeHeadWithNotedStatus(statusCode, ...rest) {
      return writeHead.call(this, statusCode === 200 && request.status ? request.status : statusCode, ...rest);
    };
  }
  // The app's log lines while handling it carry its id, and the app notes the session here.
  const direct = method === "GET" ? globalThis[DIRECT_ROUTES]?.get(pathname) : undefined;
  requestScope().run(request, direct ? () => answerDirectly(req, res, direct, directFailure) : () => handle(req, res));
});

/**
 * The answer when a route answered here fails outside its own wrapper (which answers its own
 * failures). The log line carries the request id, which its access line names with the path.
 */
function directFailure(error) {
  log.error({ err: error }, `Answering a route without Next's router failed: ${error?.message ?? String(error)}`);
  return { status: 500, ...errorAnswer("internal_error", "Something went wrong") };
}

/** Answers being written now: a shutdown waits for them. */
const answers = answersOf(server);

// CONNECT asks for a tunnel, which is nothing this server offers: no method applies to its target.
server.on("connect", (req, socket) => {
  refuse(socket, 405, "method_not_allowed", "CONNECT is not allowed: this server is not a proxy", { Allow: "" }, "CONNECT");
});

// Requests Node cannot parse (an unknown method, a broken header): the status Node would send, in
// the API's error shape.
server.on("clientError", (error, socket) => {
  if (error.code === "ECONNRESET") return socket.destroy();
  if (error.code === "HPE_HEADER_OVERFLOW") return refuse(socket, 431, "headers_too_large", "The request headers are too large");
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") return refuse(socket, 408, "request_timeout", "The request took too long to arrive");
  refuse(socket, 400, "bad_request", "The request is not valid HTTP");
});

server.on("error", (error) => {
  log.fatal({ err: error }, `Sessionboard cannot listen on ${hostname}:${port}: ${error.message}`);
  process.exit(1);
});

function lifecycle() {
  globalThis[LIFECYCLE] ??= { shuttingDown: false, timeoutMs: 20_000, hooks: [] };
  return globalThis[LIFECYCLE];
}

/**
 * SIGTERM / SIGINT: report not-ready, stop accepting connections, answer the requests in flight
 * (for at most DASHBOARD_SHUTDOWN_TIMEOUT_SECONDS), run the app's hooks (cleanup timer, database
 * pools), exit 0; 1 if the hooks did not finish in time. A second signal exits at once.
 */
async function shutDown(signal) {
  const state = lifecycle();
  if (state.shuttingDown) process.exit(1);
  state.shuttingDown = true;
  const inFlight = answers.open;
  log.info({ signal, inFlight: inFlight.size }, `${signal} received; finishing ${inFlight.size} request(s) in flight, then exiting`);
  server.close();
  server.closeIdleConnections();
  for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
  const finished = answers.drained();
  let timer;
  const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve("timeout"), state.timeoutMs)));
  if ((await Promise.race([finished, timedOut])) === "timeout") {
    log.warn({ inFlight: inFlight.size }, `${inFlight.size} request(s) still running after ${state.timeoutMs / 1000} s; closing them`);
  }
  clearTimeout(timer);
  // Answers already sent on a kept-alive connection: close it before the pools go.
  server.closeAllConnections();
  metricsServer?.close();
  metricsServer?.closeAllConnections();
  // At most 10 s: a hook that hangs must not keep the process up until it is killed (and its logs lost).
  const stepsFinished = await runShutdownSteps(state.hooks, log);
  await flushLogs();
  process.exit(stepsFinished ? 0 : 1);
}
process.on("SIGTERM", () => void shutDown("SIGTERM"));
process.on("SIGINT", () => void shutDown("SIGINT"));

// Idle kept-alive connections stay open longer than Node's 5 s (DASHBOARD_KEEP_ALIVE_TIMEOUT_SECONDS):
// a proxy pooling its connections to the app must be the one to give up on an idle one, or it may
// send a request on one the app is closing, and answer 502.
// The app's start-up (done by now) set it from the validated configuration.
for (const listener of [server, metricsServer]) if (listener) listener.keepAliveTimeout = lifecycle().keepAliveTimeoutMs;
server.listen(port, hostname, () => {
  const url = listenUrl(hostname, server.address().port);
  log.info({ url }, `Sessionboard listening on ${url}`);
});
