// The process's one logger (pino): one JSON line per event on stdout, or pino-pretty's readable
// lines when stdout is a terminal. Plain JavaScript so that server.mjs and the app (lib/log.ts) share
// it; the instance lives on globalThis, since Next bundles the app apart from server.mjs.
import { format, stripVTControlCharacters } from "node:util";
import pino from "pino";
import pretty from "pino-pretty";
import { parseLogLevel } from "./env-rules.mjs";
import { currentRequest } from "./request-scope.mjs";

const KEY = Symbol.for("sessionboard.logger");

// The clock as Node provides it, taken before Next.js replaces Date with a wrapper that checks, at
// every call, whether a prerender is reading the time (≈ 6 µs a log line).
const NativeDate = Date;
const nativeNow = Date.now;
// The date and time to the second are formatted once a second, not once a line (toISOString cost
// ≈ 5 µs an access line); the milliseconds are appended.
let formattedSecond = NaN;
let secondPrefix = "";
function isoTime() {
  const now = nativeNow();
  const second = Math.floor(now / 1000);
  if (second !== formattedSecond) {
    formattedSecond = second;
    secondPrefix = `,"time":"${new NativeDate(second * 1000).toISOString().slice(0, 20)}`;
  }
  return `${secondPrefix}${String(now - second * 1000).padStart(3, "0")}Z"`;
}

/**
 * Defence in depth: the code never passes these, but a header bag or an object logged by mistake
 * shows "[redacted]" instead of a credential. Names compared lower-cased.
 */
export const SECRET_FIELDS = new Set([
  "token",
  "tokenhash",
  "key",
  "userkey",
  "adminkey",
  "secret",
  "secrets",
  "password",
  "cookie",
  "set-cookie",
  "authorization",
  "proxy-authorization",
]);

/**
 * `value` with every field named in SECRET_FIELDS replaced, on the first three levels (a header
 * bag inside a request object, say); the same object when there is none, so a line without one
 * costs a look at its keys. (pino's own `redact` with wildcards costs ≈ 70 µs a line: more than a
 * request here.) Errors are left to pino's error serializer.
 */
export function redact(value, depth = 0) {
  if (depth > 2 || value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Error) return value;
  let copy = null;
  for (const name of Object.keys(value)) {
    const inner = value[name];
    const replaced = SECRET_FIELDS.has(name.toLowerCase()) ? "[redacted]" : redact(inner, depth + 1);
    if (replaced !== inner) {
      copy ??= { ...value };
      copy[name] = replaced;
    }
  }
  return copy ?? value;
}

/**
 * A logger writing to `destination` (1 stdout, 2 stderr, or a stream: tests), readable when
 * `pretty` (by default: when stdout or stderr is a terminal). Lines written while server.mjs handles a
 * request carry its requestId.
 */
export function createLogger({ level = "info", destination = 1, pretty: readable } = {}) {
  const out = typeof destination === "number" ? outputStream(destination, readable) : destination;
  return pino(
    {
      level,
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }), log: (fields) => redact(fields) },
      mixin: () => {
        const request = currentRequest();
        return request ? { requestId: request.requestId } : {};
      },
    },
    out,
  );
}

/**
 * stdout (1) or stderr (2): in-process streams, not pino's worker transports, which Next's bundling
 * breaks. JSON lines are written asynchronously and together, up to 4 KB at once: an access line
 * then costs no write system call of its own (measured: one write per line, even asynchronous, was
 * ≈ 30 µs of every request). They reach stdout within 200 ms. Whatever is still buffered is
 * written synchronously when the process exits, however it exits; a graceful shutdown waits for the
 * writes (flushLogs). Readable output on a terminal stays synchronous.
 */
function outputStream(fd, readable) {
  const usePretty = readable ?? Boolean((fd === 2 ? process.stderr : process.stdout).isTTY);
  if (usePretty) return pretty({ destination: fd, sync: true, colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" });
  // Lines gather up to 4 KB (about fifteen access lines) and go out in one write, or after 200 ms.
  const stream = pino.destination({ dest: fd, sync: false, minLength: 4096, periodicFlush: 200 });
  process.once("exit", () => {
    try {
      stream.flushSync();
    } catch {
      // Nothing more can be done for a stream that is closed or broken.
    }
  });
  return stream;
}

/** Waits until every line logged so far has been written (before a graceful exit). */
export function flushLogs() {
  const logger = globalThis[KEY];
  if (!logger) return Promise.resolve();
  return new Promise((resolve) => logger.flush(() => resolve()));
}

/** The process's logger: the one server.mjs (or the CLI) installed, else one on stdout at DASHBOARD_LOG_LEVEL. */
export function rootLogger() {
  // A bad DASHBOARD_LOG_LEVEL stops start-up in lib/config.ts; until then, info.
  globalThis[KEY] ??= createLogger({ level: parseLogLevel(process.env.DASHBOARD_LOG_LEVEL) ?? "info" });
  return globalThis[KEY];
}

/** Makes `logger` the process's logger (the CLI sends it to stderr, where its output is not). */
export function installLogger(logger) {
  globalThis[KEY] = logger;
  return logger;
}

/**
 * Sends console.* to `logger`, for what prints outside our code (Next's own warnings and errors),
 * so that every line on stdout is JSON. An Error among the arguments is logged with its stack.
 */
export function routeConsoleTo(logger) {
  const at = (level) => (...args) => {
    const error = args.find((arg) => arg instanceof Error);
    const rest = args.filter((arg) => arg !== error);
    // Without the terminal colours Next adds to its own lines.
    const message = stripVTControlCharacters(rest.length > 0 ? format(...rest) : (error?.message ?? "")).trim();
    if (error) logger[level]({ err: error }, message);
    else logger[level](message);
  };
  console.log = at("info");
  console.info = at("info");
  console.debug = at("debug");
  console.warn = at("warn");
  console.error = at("error");
  console.trace = at("trace");
}
