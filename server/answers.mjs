// The answers a server is writing now, for the access line and for a shutdown that waits for them.
//
// A response says it is done with its 'close' event, except one Node never gets to write: a
// request pipelined behind an answer that closed the connection (as every answer does during a
// shutdown) sees neither 'close' nor 'finish', and would be waited for until the timeout. So the
// connection's own end counts as the end of every answer still open on it.

const OPEN = Symbol("open answers");

/** Tracks the answers of `server`. */
export function answersOf(server) {
  const open = new Set();
  let drained = () => {};
  server.on("connection", (socket) => {
    socket[OPEN] = new Set();
    socket.once("close", () => {
      for (const finish of socket[OPEN]) finish();
    });
  });
  return {
    /** Counts `res` as open until it closes or its connection does; then runs `onDone` (once). */
    track(req, res, onDone) {
      const onSocket = req.socket[OPEN];
      const finish = () => {
        if (!open.delete(res)) return;
        onSocket?.delete(finish);
        onDone();
        if (open.size === 0) drained();
      };
      open.add(res);
      onSocket?.add(finish);
      res.once("close", finish);
    },
    /** The answers open now. */
    open,
    /** Resolves when no answer is open (at once when none is). */
    drained() {
      return new Promise((resolve) => {
        drained = resolve;
        if (open.size === 0) resolve();
      });
    },
  };
}
