import { apiRoute } from "@/lib/http/api";
import { databaseHealth } from "@/lib/http/health";
import { allowOnly } from "@/lib/http/methods";

/** Liveness and database reachability, for load balancers and monitors; no session check. */
export const GET = apiRoute(
  databaseHealth,
  // It reports an outage itself (503 with when it began), so it runs during one.
  { duringOutage: "run" },
);

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
