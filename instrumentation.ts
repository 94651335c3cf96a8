/**
 * Runs once when the server starts: validate the configuration and open (and migrate) the
 * database before the first request, so a bad setting stops start-up with a clear message.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/startup");
  await startServer();
}
