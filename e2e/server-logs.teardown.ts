import fs from "node:fs";
import path from "node:path";
import { SERVER_LOG_DIR } from "./env";
import { logProblems } from "./log-lines";

/**
 * After the run: every line every app server wrote (the shared one and those the specs started)
 * is a JSON log line, and none carries a sign-in key, a secret or a cookie value.
 */
export default function checkServerLogs() {
  const files = fs.existsSync(SERVER_LOG_DIR) ? fs.readdirSync(SERVER_LOG_DIR).filter((name) => name.endsWith(".log")) : [];
  if (files.length === 0) throw new Error(`No server output in ${SERVER_LOG_DIR}: the servers' output was not kept`);
  const problems = files.flatMap((name) => logProblems(fs.readFileSync(path.join(SERVER_LOG_DIR, name), "utf8")).map((problem) => `${name}: ${problem}`));
  if (problems.length > 0) {
    throw new Error(`The servers wrote ${problems.length} line(s) that break the log rules:\n${problems.slice(0, 50).join("\n")}`);
  }
}
