// Sends the answer of a route that server.mjs calls without Next's router (lib/http/direct-route.ts)
// the way Next sends a route's answer (next/dist/server/send-response.js), minus its framing: the
// body goes whole, with its length.

// Left out, as Next leaves them out: the copy of the cookies its response object keeps for itself,
// and framing. Set-Cookie is sent apart, one header line per cookie.
const NOT_SENT = new Set(["x-middleware-set-cookie", "content-length", "content-encoding", "transfer-encoding", "set-cookie"]);

/**
 * Answers `req` with what `route` returns. Nothing escapes: a failure while calling the route or
 * handing its answer over (a header Node refuses, say) is answered with `failure(error)` instead,
 * without whatever was set for the failed answer but the request id, or the connection is closed
 * when the head has gone out already.
 */
export async function answerDirectly(req, res, route, failure) {
  try {
    const response = await route({ url: req.url, headers: req.headers });
    const body = Buffer.from(await response.arrayBuffer());
    res.statusCode = response.status;
    for (const [name, value] of response.headers) {
      // As Next does, a header set before the route ran (X-Request-Id) is not replaced.
      if (!NOT_SENT.has(name) && !res.hasHeader(name)) res.setHeader(name, value);
    }
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) res.setHeader("Set-Cookie", cookies);
    res.setHeader("Content-Length", body.length);
    res.end(body);
  } catch (error) {
    if (res.headersSent) return void res.destroy();
    for (const name of res.getHeaderNames()) if (name !== "x-request-id") res.removeHeader(name);
    const answer = failure(error);
    res.writeHead(answer.status, answer.headers).end(answer.body);
  }
}
