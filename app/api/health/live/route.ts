import { apiRoute, json } from "@/lib/http/api";
import type { LiveAnswer } from "@/lib/http/health";
import { allowOnly } from "@/lib/http/methods";

// Rendered per request like every API route (never prerendered), so a 200 means the process answers.
export const dynamic = "force-dynamic";

/**
 * Liveness: the process is up and serving requests. No database and no session work of its own
 * (/api/health reports the database), and it answers during a database outage too, so a liveness
 * probe never restarts a replica for what the database does. Also the floor that `npm run bench`
 * measures the session check against: the same wrapper as every API route, nothing more.
 */
export const GET = apiRoute(async () => json({ status: "ok" } satisfies LiveAnswer), { duringOutage: "run" });

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
