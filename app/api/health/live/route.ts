import { json } from "@/lib/http/api";

// Rendered per request like every API route (never prerendered), so a 200 means the process answers.
export const dynamic = "force-dynamic";

/**
 * Liveness: the process is up and serving requests. No database and no session work of its own
 * (/api/health reports the database). Also the floor that `npm run bench` measures the session
 * check against.
 */
export function GET() {
  return json({ status: "ok" });
}
