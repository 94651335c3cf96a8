/**
 * Runs once when the server starts: validate the configuration and open (and migrate) the
 * database before the first request, so a bad setting stops start-up with a clear message.
 * The OpenTelemetry SDK is imported only when traces are configured: otherwise it is never loaded
 * and the app's spans cost one flag check (lib/tracing.ts).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/startup");
  await startServer({
    startTracing: async (tracing) => {
      const { startTracing } = await import("./lib/tracing-sdk");
      return startTracing(tracing);
    },
    // The session check other services call on each of their requests: answered by server.mjs
    // with the route's own handler, without Next's router in between.
    serveDirectly: async (origin) => {
      const [{ serveDirectly }, session] = await Promise.all([import("./lib/http/direct-route"), import("./app/api/auth/session/route")]);
      serveDirectly({ "/api/auth/session": session.GET }, origin);
    },
  });
}
