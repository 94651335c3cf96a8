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
  });
}
