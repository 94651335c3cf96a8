import { createHash } from "node:crypto";
import { findSession } from "../../../lib/bare-sessions";

export const dynamic = "force-dynamic";

/**
 * The floor plus the bare minimum of a session check that holds at the next request: the cookie's
 * token hashed, one indexed read, JSON. What Next.js and one lookup cost together on this machine —
 * the best any server-side check can reach here.
 */
export async function GET(request: Request) {
  const token = /(?:^|;\s*)sid=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
  const session = token ? await findSession(createHash("sha256").update(token).digest("hex")) : undefined;
  if (!session || new Date(session.expiresAt).getTime() <= Date.now()) return Response.json({ error: "unauthenticated" }, { status: 401 });
  return Response.json(session);
}
