// Production entry point: Next's request handler behind a plain Node HTTP server, so the app
// learns each request's real socket address. Next alone only exposes X-Forwarded-For, which any
// client can forge; rate limiting and the session list need the address the connection came from.
import { createServer } from "node:http";
import next from "next";

const PEER_HEADER = "x-sessionboard-peer";
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.BIND_HOST ?? "0.0.0.0";

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

createServer((req, res) => {
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "";
  handle(req, res);
}).listen(port, hostname, () => {
  console.log(`Sessionboard listening on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`);
});
