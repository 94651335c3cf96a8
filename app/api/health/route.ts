import { getDatabase } from "@/lib/db";
import { isDatabaseUnavailable } from "@/lib/http/errors";
import { apiRoute, json } from "@/lib/http/api";

/** Liveness and database reachability; no session check. */
export const GET = apiRoute(async () => {
  try {
    const db = await getDatabase();
    await db.ping();
    return json({ status: "ok", database: { backend: db.backend, status: "ok" } });
  } catch (error) {
    if (!isDatabaseUnavailable(error)) console.error(error);
    return json({ status: "unavailable", database: { status: "unavailable" } }, { status: 503 });
  }
});
