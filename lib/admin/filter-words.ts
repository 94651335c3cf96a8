import type { AdminSessionFilter } from "../validation/admin";

/**
 * The filters in words, for the confirmation and the audit trail: "user starts with ali, SSO, IP in
 * 10.0.0.0/8". Times are ISO 8601 UTC so the audit row says exactly what was meant.
 */
export function describeFilter(filter: AdminSessionFilter): string {
  const words: string[] = [];
  if (filter.user) words.push(filter.match === "prefix" ? `user starts with ${filter.user}` : `user ${filter.user}`);
  if (filter.method) words.push(filter.method === "oidc" ? "signed in with SSO" : "signed in with a key");
  if (filter.ip) words.push(filter.ip.includes("/") ? `IP in ${filter.ip}` : `IP ${filter.ip}`);
  if (filter.country) words.push(`country ${filter.country}`);
  if (filter.browser) words.push(`browser ${filter.browser}`);
  if (filter.signedInAfter) words.push(`signed in at or after ${filter.signedInAfter.toISOString()}`);
  if (filter.signedInBefore) words.push(`signed in before ${filter.signedInBefore.toISOString()}`);
  if (filter.moreThan !== undefined) words.push(`owners with more than ${filter.moreThan} active sessions`);
  return words.join(", ") || "no filter";
}
