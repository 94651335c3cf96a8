import type { NextRequest } from "next/server";
import { apiContext, apiRoute, json, requireApiSession } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { presentSession, type SignedInAnswer } from "@/lib/sessions/present";

export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const { session, user } = await requireApiSession(request, context);
  return json({
    user: { id: user.id, username: user.username, role: user.role, displayName: user.displayName, email: user.email },
    session: presentSession(session, session.id),
  } satisfies SignedInAnswer);
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
