import { keysMatch } from "../auth/keys";
import type { Config } from "../config";

/**
 * Who may read /api/metrics. Without DASHBOARD_METRICS_TOKEN the address does not exist ("absent":
 * metrics are never public by accident); with it, only a request carrying that token as its bearer
 * credential, compared in constant time.
 */
export function metricsAccess(config: Pick<Config, "metrics">, authorization: string | null): "absent" | "denied" | "allowed" {
  const expected = config.metrics.token;
  if (expected === null) return "absent";
  const given = /^Bearer +(\S+) *$/i.exec(authorization ?? "")?.[1];
  if (given === undefined) return "denied";
  return keysMatch(given, expected) ? "allowed" : "denied";
}
