// The app's shutdown steps (onShutdown in lib/lifecycle.ts: stop timers and the webhook worker,
// close database pools, send the last traces), run by server.mjs after the last answer, with a
// deadline: a step that hangs (a pool whose end() waits on a client stuck in a query, a collector
// that never answers) would keep the process up until the orchestrator kills it, and the log lines
// still buffered would be lost.

/**
 * How long the steps together may take. Fixed, not DASHBOARD_SHUTDOWN_TIMEOUT_SECONDS: that one
 * bounds the requests in flight, and setting it to 0 must not leave the pools no time to close.
 */
export const SHUTDOWN_STEPS_MS = 10_000;

/**
 * Runs `steps` one after the other (their order matters: the worker stops before the pools close),
 * logging one that fails and going on. Resolves true once all are done; false after `ms` if they are
 * not, having logged which step is still running and which never ran (they are left behind).
 */
export async function runShutdownSteps(steps, log, ms = SHUTDOWN_STEPS_MS) {
  let current = 0;
  let late = false;
  const all = (async () => {
    // Past the deadline, the steps logged as not run stay not run, whenever the hung one settles.
    for (; current < steps.length && !late; current++) {
      const step = steps[current];
      try {
        await step.run();
      } catch (error) {
        log.error({ err: error, step: step.name }, `The shutdown step "${step.name}" failed`);
      }
    }
  })();
  let timer;
  const timedOut = new Promise((resolve) => (timer = setTimeout(resolve, ms, "timeout")));
  const outcome = await Promise.race([all, timedOut]);
  clearTimeout(timer);
  if (outcome !== "timeout") return true;
  late = true;
  const [running, ...notRun] = steps.slice(current).map((step) => step.name);
  log.error(
    { running, notRun },
    `The shutdown steps did not finish within ${ms / 1000} s: "${running}" is still running` +
      (notRun.length > 0 ? `; not run: ${notRun.map((name) => `"${name}"`).join(", ")}` : "") +
      "; exiting with code 1",
  );
  return false;
}
