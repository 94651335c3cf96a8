import { ADMIN_KEY, USER_KEY, serverEnv } from "./env";

export type LogLine = Record<string, unknown> & { level: string; time: string; msg: string };

/** What no log line may contain: the run's sign-in keys and secrets. */
export const RUN_CREDENTIALS = [USER_KEY, ADMIN_KEY, serverEnv.DASHBOARD_SECRET, serverEnv.DASHBOARD_OIDC_CLIENT_SECRET];

/**
 * Shapes no log line may contain: a session token or token hash (64 hex digits on their own, as in
 * a cookie's token.flag.MAC), and a value sealed by iron-session (the OIDC transaction and notice cookies).
 */
const CREDENTIAL_SHAPES = [/(?<![0-9A-Za-z])[0-9a-f]{64}(?![0-9A-Za-z])/, /Fe26\.2\*/];

/** The access line server.mjs writes for every request. */
export const isAccessLine = (line: LogLine) => typeof line.msg === "string" && line.msg.startsWith("request ");

/**
 * Everything wrong with a server's output: a line that is not a JSON object with level, time and
 * msg; an access line without its fields; a line carrying one of `credentials` or a credential's shape.
 */
export function logProblems(output: string, credentials: string[] = RUN_CREDENTIALS): string[] {
  const problems: string[] = [];
  for (const text of output.split("\n")) {
    if (text.trim() === "") continue;
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      problems.push(`not JSON: ${text}`);
      continue;
    }
    if (typeof line !== "object" || line === null || typeof line.level !== "string" || typeof line.time !== "string" || typeof line.msg !== "string") {
      problems.push(`no level, time or msg: ${text}`);
      continue;
    }
    if (isAccessLine(line)) {
      const refusedEarly = line.msg === "request refused before parsing";
      const missing = ["requestId", "status", "durationMs", ...(refusedEarly ? [] : ["method", "path", "route"])].filter((field) => line[field] === undefined);
      if (missing.length > 0) problems.push(`access line without ${missing.join(", ")}: ${text}`);
    }
    const credential = credentials.find((value) => value && text.includes(value));
    if (credential) problems.push(`a sign-in key or secret: ${text}`);
    const shape = CREDENTIAL_SHAPES.find((pattern) => pattern.test(text));
    if (shape) problems.push(`something shaped like a cookie, token or hash (${shape}): ${text}`);
  }
  return problems;
}

/** The output's lines, parsed (those that parse). */
export function logLines(output: string): LogLine[] {
  return output
    .split("\n")
    .filter((text) => text.trim() !== "")
    .flatMap((text) => {
      try {
        return [JSON.parse(text) as LogLine];
      } catch {
        return [];
      }
    });
}
