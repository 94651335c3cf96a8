import { auth } from "../../../auth";

export const dynamic = "force-dynamic";

/** The signed-in user and session, or 401: what a protected route does first. */
export async function GET() {
  const session = await auth();
  if (!session) return Response.json({ error: "unauthenticated" }, { status: 401 });
  return Response.json(session);
}
