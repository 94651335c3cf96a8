import { test as base, type APIRequestContext, type APIResponse, type BrowserContext, type Response } from "@playwright/test";
import { answerChecker, type ApiAnswer, type OpenApi } from "../tests/support/openapi";
import { BASE_URL } from "./env";

/**
 * Every answer from /api/* that a spec receives — through the `request` fixture, a browser
 * context's pages or its `context.request`, or a request context or browser context the spec makes
 * itself — is checked against the OpenAPI description the server publishes (/api/openapi.json):
 * an undocumented status, media type or a body that does not match its schema fails the test with
 * the method, path and status. Specs import `test` and `expect` from here instead of
 * @playwright/test.
 */

let checker: Promise<(answer: ApiAnswer) => string | null> | undefined;

/** The check against the description, fetched once per worker from the app under test. */
export function describedAnswers() {
  checker ??= fetch(`${BASE_URL}/api/openapi.json`)
    .then((response) => {
      if (!response.ok) throw new Error(`GET /api/openapi.json answered ${response.status}`);
      return response.json() as Promise<OpenApi>;
    })
    .then(answerChecker);
  return checker;
}

export class ApiContractError extends Error {
  override name = "ApiContractError";
}

async function verify(answer: ApiAnswer): Promise<string | null> {
  if (!new URL(answer.url).pathname.startsWith("/api")) return null;
  return (await describedAnswers())(answer);
}

const watchedRequests = new WeakSet<APIRequestContext>();

/**
 * Checks every answer this request context receives, as it arrives: a mismatch throws from the
 * call that received it. All of get/post/…/fetch go through the instance's fetch.
 */
export function watchRequests(api: APIRequestContext): APIRequestContext {
  if (watchedRequests.has(api)) return api;
  watchedRequests.add(api);
  const fetch = api.fetch.bind(api);
  api.fetch = async (urlOrRequest, options) => {
    const response = await fetch(urlOrRequest, options);
    const requested = typeof urlOrRequest === "string" ? urlOrRequest : urlOrRequest.url();
    const method = options?.method ?? (typeof urlOrRequest === "string" ? "GET" : urlOrRequest.method());
    const problem = await verify(await answerOf(response, followedRedirect(requested, response.url()) ? "GET" : method));
    if (problem) throw new ApiContractError(`API answer not as described in /api/openapi.json: ${problem}`);
    return response;
  };
  return api;
}

/** A redirect that was followed ends at another address, which was fetched with GET. */
function followedRedirect(requested: string, final: string): boolean {
  const a = new URL(requested, final);
  const b = new URL(final);
  return a.pathname !== b.pathname || a.search !== b.search;
}

async function answerOf(response: APIResponse, method: string): Promise<ApiAnswer> {
  let body: string | null;
  try {
    body = (await response.body()).toString("utf8");
  } catch {
    body = null; // disposed already
  }
  return { method, url: response.url(), status: response.status(), headers: response.headers(), body };
}

/**
 * Checks every /api answer a browser context's pages receive, and its `request`; the problems are
 * reported when the test ends (an event handler cannot fail the test where it happens).
 */
function watchContext(context: BrowserContext) {
  const pending: Promise<void>[] = [];
  const problems: string[] = [];
  context.on("response", (response: Response) => {
    if (!new URL(response.url()).pathname.startsWith("/api")) return;
    pending.push(
      (async () => {
        const request = response.request();
        let body: string | null = null;
        // A redirect's body is not kept by the browser; other bodies may be gone with their page.
        if (response.status() < 300 || response.status() >= 400) body = await response.text().catch(() => null);
        const problem = await verify({ method: request.method(), url: response.url(), status: response.status(), headers: response.headers(), body });
        if (problem) problems.push(problem);
      })().catch((error: unknown) => {
        problems.push(`could not check an answer: ${String(error)}`);
      }),
    );
  });
  watchRequests(context.request);
  return {
    async problems() {
      await Promise.all(pending);
      return problems;
    },
  };
}

export const test = base.extend<{ apiContract: void }>({
  request: async ({ request }, provide) => {
    await provide(watchRequests(request));
  },
  context: async ({ context }, provide) => {
    const watch = watchContext(context);
    await provide(context);
    const problems = await watch.problems();
    if (problems.length > 0) throw new ApiContractError(`API answers not as described in /api/openapi.json:\n${problems.join("\n")}`);
  },
  // Contexts and request contexts the spec makes itself (browser.newContext, playwright.request.newContext).
  apiContract: [
    async ({ browser, playwright }, provide) => {
      const watches: ReturnType<typeof watchContext>[] = [];
      const newContext = browser.newContext;
      browser.newContext = async (...args: Parameters<typeof newContext>) => {
        const context = await newContext.apply(browser, args);
        watches.push(watchContext(context));
        return context;
      };
      const newRequestContext = playwright.request.newContext;
      playwright.request.newContext = async (...args: Parameters<typeof newRequestContext>) =>
        watchRequests(await newRequestContext.apply(playwright.request, args));
      try {
        await provide();
      } finally {
        browser.newContext = newContext;
        playwright.request.newContext = newRequestContext;
      }
      const problems = (await Promise.all(watches.map((watch) => watch.problems()))).flat();
      if (problems.length > 0) throw new ApiContractError(`API answers not as described in /api/openapi.json:\n${problems.join("\n")}`);
    },
    { auto: true },
  ],
});

export { expect } from "@playwright/test";
