// Production entry point: Next's request handler behind a plain Node HTTP server, so the app
// learns each request's real socket address. Next alone only exposes X-Forwarded-For, which any
// client can forge; rate limiting and the session list need the address the connection came from.
//
//   node server.mjs [-p|--port PORT] [-H|--hostname HOST]     (npm start -- -p 8080 -H 127.0.0.1)
//
// The flags are those of `next start`; without them PORT and BIND_HOST apply (3000, 0.0.0.0).
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import next from "next";

const PEER_HEADER = "x-sessionboard-peer";

const USAGE = "Usage: npm start -- [-p|--port PORT] [-H|--hostname HOST]";

/** Port and host from the flags, else PORT / BIND_HOST; anything else on the command line is refused. */
function listenOptions(argv, env) {
  const usageError = (message) => {
    console.error(`${message}\n${USAGE}`);
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
    console.log(USAGE);
    process.exit(0);
  }
  const port = values.port ?? env.PORT ?? "3000";
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    return usageError(`Invalid port "${port}"${values.port === undefined ? " (from PORT)" : ""}: give a number from 0 to 65535`);
  }
  const hostname = values.hostname ?? env.BIND_HOST ?? "0.0.0.0";
  if (hostname.trim() === "") return usageError("The hostname must not be empty");
  return { port: Number(port), hostname };
}

const { port, hostname } = listenOptions(process.argv.slice(2), process.env);
// lib/config.ts derives DASHBOARD_URL's default (http://localhost:PORT) from PORT.
process.env.PORT = String(port);

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "";
  handle(req, res);
});
server.on("error", (error) => {
  console.error(`Sessionboard cannot listen on ${hostname}:${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port, hostname, () => {
  console.log(`Sessionboard listening on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${server.address().port}`);
});
