import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "./ports";

/**
 * The end-to-end suite's real OpenID Provider (e2e/oidc-provider.mjs) in a child process, for
 * integration tests: its dev login pages are driven over HTTP like a browser would.
 */
export type TestIdp = {
  issuer: string;
  appUrl: string;
  /** POST/GET one of its /test/ controls. */
  control(method: "GET" | "POST", pathAndQuery: string, body?: unknown): Promise<Response>;
  /** Signs `login` in at the provider for the authorization URL; returns the callback URL with the code. */
  authorize(authorizationUrl: URL, login: string): Promise<URL>;
  /**
   * Faults at the provider's edge, for this process's requests to it (the provider itself still
   * answers, rotates and revokes): what real providers do that this one does not.
   */
  faults: {
    /** Refresh-token grants are answered without an ID token (optional there; some providers send none). */
    refreshWithoutIdToken: boolean;
    /** This many coming userinfo requests are answered 503, as by a failing front end. */
    userinfoFailures: number;
  };
  stop(): Promise<void>;
};

/** The test provider's endpoints (oidc-provider's defaults). */
const TOKEN_PATH = "/token";
const USERINFO_PATH = "/me";

export async function startTestIdp(): Promise<TestIdp> {
  const [port, appPort] = [await freePort(), await freePort()];
  const issuer = `http://localhost:${port}`;
  const appUrl = `http://localhost:${appPort}`;
  const child: ChildProcess = spawn(process.execPath, [path.join(process.cwd(), "e2e", "oidc-provider.mjs")], {
    env: { ...process.env, OIDC_PORT: String(port), APP_URL: appUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the test OpenID Provider did not start")), 15_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`the test OpenID Provider exited (${code})`)));
  });

  const faults: TestIdp["faults"] = { refreshWithoutIdToken: false, userinfoFailures: 0 };
  const realFetch = globalThis.fetch;
  // The app asks the provider through the global fetch (at call time), so this sits between them.
  globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.origin !== new URL(issuer).origin) return realFetch(input, init);
    if (url.pathname === USERINFO_PATH && faults.userinfoFailures > 0) {
      faults.userinfoFailures--;
      return new Response("userinfo failing for a test", { status: 503 });
    }
    const response = await realFetch(input, init);
    const refresh = url.pathname === TOKEN_PATH && new URLSearchParams(String(init?.body ?? "")).get("grant_type") === "refresh_token";
    if (!refresh || !faults.refreshWithoutIdToken || response.status !== 200) return response;
    const answer = (await response.json()) as Record<string, unknown>;
    delete answer.id_token;
    return new Response(JSON.stringify(answer), { status: 200, headers: { "content-type": "application/json" } });
  };

  const control = (method: "GET" | "POST", pathAndQuery: string, body?: unknown) =>
    fetch(`${issuer}${pathAndQuery}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });

  async function authorize(authorizationUrl: URL, login: string): Promise<URL> {
    const jar = new Map<string, string>();
    const send = async (url: URL, init: RequestInit = {}) => {
      const response = await fetch(url, {
        ...init,
        redirect: "manual",
        headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; ") },
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair] = cookie.split(";");
        const at = pair.indexOf("=");
        jar.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return response;
    };
    let url = authorizationUrl;
    for (let step = 0; step < 12; step++) {
      if (url.toString().startsWith(appUrl)) return url;
      let response = await send(url);
      if (response.status === 200 && url.pathname.startsWith("/interaction/")) {
        const html = await response.text();
        const prompt = html.includes('name="login"') ? "login" : "consent";
        const form = new URLSearchParams(prompt === "login" ? { prompt, login, password: "" } : { prompt });
        response = await send(url, { method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded" } });
      }
      const location = response.headers.get("location");
      if (!location) throw new Error(`the test OpenID Provider answered ${response.status} at ${url.pathname}: ${(await response.text()).slice(0, 300)}`);
      url = new URL(location, url);
    }
    throw new Error("too many redirects at the test OpenID Provider");
  }

  return {
    issuer,
    appUrl,
    control,
    authorize,
    faults,
    stop: () =>
      new Promise<void>((resolve) => {
        globalThis.fetch = realFetch;
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
