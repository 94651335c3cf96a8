import { createHmac, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";
import { purposeKeys } from "../secret-keys";
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
const keys = (config: Config) => purposeKeys(config, "sessionboard:page-outcome");

type Sealed = { sessionId: string; pathname: string; issued: number; outcome: (string | null)[] };
// JSON, so no value (a typed reason may hold anything) can shift into its neighbour.
const mac = (key: Buffer, { sessionId, pathname, issued, outcome }: Sealed) =>
  createHmac("sha256", key).update(JSON.stringify([sessionId, pathname, issued, outcome])).digest();

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
  const sealed = mac(keys(config)[0], { sessionId, pathname: url.pathname, issued, outcome });
  url.searchParams.set(OUTCOME_SEAL, `${issued}.${sealed.toString("base64url")}`);
  return url.pathname + url.search + url.hash;
}

const SEAL_FORMAT = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

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
  // 43 base64url characters are always 32 bytes, a SHA-256's length: timingSafeEqual cannot throw.
  const given = Buffer.from(parts[2], "base64url");
  return keys(config).some((key) => timingSafeEqual(mac(key, { ...sealed, issued }), given));
}
