import type { Config } from "../config";
import { SIGNATURE_PATTERN, signsWords, signWords } from "../secret-keys";
import { DISMISSED_PARAM } from "../alerts/words";

/**
 * What a server action did comes back to its page in the query ("?revoked=1", "?done=all&count=12"):
 * it works without JavaScript and reads the same after a reload. But anyone can write a query, and
 * a link could make a page say "Session revoked" or "everyone is signed out" when nothing was done.
 * So the action seals what it says (sealOutcome): OUTCOME_SEAL carries when, and an HMAC over that,
 * the session the action ran in, the page it returns to and every outcome parameter. A page believes
 * the outcome only when the seal verifies for the session looking at it, on that page, and is at
 * most OUTCOME_SHOWN_FOR_SECONDS old (verifiedQuery); otherwise it drops all of it, and the page
 * shows just its state.
 */
export const OUTCOME_PARAMS = ["revoked", "signedOutOthers", "error", DISMISSED_PARAM, "done", "count", "doneUser", "keptReason", "keptConfirm"] as const;
export type OutcomeParam = (typeof OUTCOME_PARAMS)[number];
/** Whether a query parameter says what an action did (a page's own state leaves it out). */
export const isOutcomeParam = (name: string): name is OutcomeParam => (OUTCOME_PARAMS as readonly string[]).includes(name);
export const OUTCOME_SEAL = "sealed";
/** Long enough to read and reload; a bookmarked or shared address stops saying it. */
export const OUTCOME_SHOWN_FOR_SECONDS = 15 * 60;
/** A seal up to this far ahead of the clock still counts: replicas' clocks differ a little. */
const CLOCK_SKEW_SECONDS = 60;

const BASE = "http://sessionboard.invalid";
const PURPOSE = "sessionboard:page-outcome";

type Sealed = { sessionId: string; pathname: string; issued: number; outcome: (string | null)[] };
const words = ({ sessionId, pathname, issued, outcome }: Sealed) => [sessionId, pathname, issued, outcome];

const outcomeOf = (get: (name: string) => string | null | undefined) => OUTCOME_PARAMS.map((name) => get(name) ?? null);

/** `path` with no outcome and no seal: where an action starts before it says what it did. */
export function withoutOutcome(path: string): string {
  const url = new URL(path, BASE);
  for (const name of [...OUTCOME_PARAMS, OUTCOME_SEAL]) url.searchParams.delete(name);
  return url.pathname + url.search + url.hash;
}

/** `path` with the outcome it carries sealed for `sessionId` (unchanged when it carries none). */
export function sealOutcome(config: Config, sessionId: string, path: string, now = new Date()): string {
  const url = new URL(path, BASE);
  url.searchParams.delete(OUTCOME_SEAL);
  const outcome = outcomeOf((name) => url.searchParams.get(name));
  if (outcome.every((value) => value === null)) return url.pathname + url.search + url.hash;
  const issued = Math.floor(now.getTime() / 1000);
  url.searchParams.set(OUTCOME_SEAL, `${issued}.${signWords(config, PURPOSE, words({ sessionId, pathname: url.pathname, issued, outcome }))}`);
  return url.pathname + url.search + url.hash;
}

const SEAL_FORMAT = new RegExp(`^(\\d{1,12})\\.(${SIGNATURE_PATTERN})$`);

/**
 * The query (one value per name) of the page at `path` as that page may believe it: the outcome
 * only if sealed for `sessionId` (null: nobody signed in) on this page and recent, the seal never.
 */
export function verifiedQuery(config: Config, sessionId: string | null, path: string, query: Record<string, string>, now = new Date()): Record<string, string> {
  const { [OUTCOME_SEAL]: seal, ...rest } = query;
  const outcome = outcomeOf((name) => rest[name]);
  if (outcome.every((value) => value === null)) return rest;
  if (sessionId !== null && seal !== undefined && sealHolds(config, seal, { sessionId, pathname: new URL(path, BASE).pathname, outcome }, now)) return rest;
  return Object.fromEntries(Object.entries(rest).filter(([name]) => !isOutcomeParam(name)));
}

function sealHolds(config: Config, seal: string, sealed: Omit<Sealed, "issued">, now: Date): boolean {
  const parts = SEAL_FORMAT.exec(seal);
  if (!parts) return false;
  const issued = Number(parts[1]);
  const age = now.getTime() / 1000 - issued;
  if (age > OUTCOME_SHOWN_FOR_SECONDS || age < -CLOCK_SKEW_SECONDS) return false;
  return signsWords(config, PURPOSE, words({ ...sealed, issued }), parts[2]);
}
