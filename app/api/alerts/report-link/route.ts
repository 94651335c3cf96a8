import type { NextRequest } from "next/server";
import { ZodError } from "zod";
import { JUST_USED, reportLinkFormSchema, useReportLink } from "@/lib/alerts/report-link";
import { DomainError } from "@/lib/errors";
import { apiContext, apiRoute, json } from "@/lib/http/api";
import { readBody } from "@/lib/http/body";
import { allowOnly } from "@/lib/http/methods";
import { seeOther } from "@/lib/http/redirect";
import type { RevokedAnswer } from "@/lib/sessions/revoke";

/**
 * A mailed alert's "This wasn't me", confirmed: signs that device out (reportDevice). No session needed — the
 * single-use token in the body is the authority; never on GET, so opening the link changes nothing.
 * The confirmation page's form gets redirects back to it, JSON clients {"revoked": N}.
 */
export const POST = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  const { data, form } = await readBody(request);
  const parsed = reportLinkFormSchema.safeParse(data);
  if (!parsed.success) {
    if (form) return seeOther("/report");
    throw new ZodError(parsed.error.issues);
  }
  // Back to the link's page, which shows the link's state as stored (used, or not valid); the query
  // only asks for the words of someone who just used it.
  const page = `/report?${new URLSearchParams({ token: parsed.data.token })}`;
  try {
    const revoked = await useReportLink(context.db, parsed.data.token, context.request);
    return form ? seeOther(`${page}&outcome=${JUST_USED}`) : json({ revoked } satisfies RevokedAnswer);
  } catch (error) {
    if (form && error instanceof DomainError) return seeOther(page);
    throw error;
  }
});

export const { GET, HEAD, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ POST });
