import fs from "node:fs";
import net from "node:net";
import { expect, test } from "./api-contract";
import { BASE_URL, SERVER_LOG, USER_KEY } from "./env";
import { currentSessionId, uniqueUser } from "./helpers";
import { RUN_CREDENTIALS, logLines, logProblems, type LogLine } from "./log-lines";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The shared server's access line for `requestId`, once written (after the answer has gone). */
async function accessLine(requestId: string): Promise<LogLine> {
  let line: LogLine | undefined;
  await expect
    .poll(() => (line = logLines(fs.readFileSync(SERVER_LOG, "utf8")).find((entry) => entry.requestId === requestId && entry.msg.startsWith("request "))), {
      message: `an access line for ${requestId}`,
    })
    .toBeTruthy();
  return line as LogLine;
}

test("every request gets an id of its own, echoed and logged with the session's public id — never the cookie, the key or the query", async ({ request }) => {
  const login = await request.post("/api/auth/login", { data: { username: uniqueUser("logged"), key: USER_KEY } });
  expect(login.status()).toBe(200);
  const cookie = (await request.storageState()).cookies.find((c) => c.name === "session_token")?.value;
  expect(cookie).toBeTruthy();
  const sessionId = await currentSessionId(request);

  // Without a trusted proxy (the shared server trusts none), a client's id is replaced.
  const forged = "forged-by-the-client";
  const response = await request.get("/api/auth/session?probe=a-query-value", { headers: { "X-Request-Id": forged } });
  expect(response.status()).toBe(200);
  const requestId = response.headers()["x-request-id"];
  expect(requestId).toMatch(UUID);

  const line = await accessLine(requestId);
  expect(line).toMatchObject({ level: "info", method: "GET", path: "/api/auth/session", route: "/api/auth/session", status: 200, sessionId });
  expect(typeof line.durationMs).toBe("number");

  // The sign-in's own line names the session it created.
  expect(await accessLine(login.headers()["x-request-id"])).toMatchObject({ method: "POST", path: "/api/auth/login", status: 200, sessionId });

  // Answers written by server.mjs itself carry an id too.
  const refused = await request.fetch("/robots.txt", { method: "DELETE" });
  expect(refused.status()).toBe(405);
  expect(await accessLine(refused.headers()["x-request-id"])).toMatchObject({ method: "DELETE", path: "/robots.txt", route: "(file)", status: 405 });

  // The route names what answered, without the ids in the path: one value per page or handler.
  const detail = await request.get(`/api/sessions/${sessionId}`);
  expect(await accessLine(detail.headers()["x-request-id"])).toMatchObject({ path: `/api/sessions/${sessionId}`, route: "/api/sessions/[id]", status: 200 });
  const nowhere = await request.get("/api/no/such/thing");
  expect(await accessLine(nowhere.headers()["x-request-id"])).toMatchObject({ route: "/api/[[...path]]", status: 404 });

  const output = fs.readFileSync(SERVER_LOG, "utf8");
  expect(output).not.toContain(forged);
  expect(output).not.toContain("a-query-value");
  expect(logProblems(output, [...RUN_CREDENTIALS, cookie as string])).toEqual([]);
});

test("a client that goes away mid-body gets an access line without a status it never got, and no error", async () => {
  const since = new Date().toISOString();
  const { hostname, port } = new URL(BASE_URL);
  // A sign-in whose body never arrives in full: the client sends a fifth of it, then hangs up.
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`POST /api/auth/login HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"username":"gone-mid-body"`);
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 300);
    });
    socket.on("error", reject);
  });
  const recent = () => logLines(fs.readFileSync(SERVER_LOG, "utf8")).filter((line) => line.time >= since);
  let line: LogLine | undefined;
  await expect.poll(() => (line = recent().find((entry) => entry.path === "/api/auth/login" && entry.msg === "request aborted"))).toBeTruthy();
  expect(line).toMatchObject({ method: "POST", route: "/api/auth/login" });
  // Nothing was answered: no status.
  expect(line?.status).toBeNull();
  // The client's leaving is not the server's error.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(recent().filter((entry) => entry.msg === "Unexpected error while answering a request")).toEqual([]);
});
