import type { NextRequest } from "next/server";
import { csvLine, eachEvent, EVENT_COLUMNS } from "@/lib/admin/events";
import { apiContext, apiRoute, requireApiAdmin } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { eventsExportQuerySchema } from "@/lib/validation/admin";
import { queryObject } from "@/lib/validation/sessions";

/** Download of every matching event: ?format=csv|jsonl plus the filters of /api/admin/events. */
export const GET = apiRoute(async (request: NextRequest) => {
  const context = await apiContext(request);
  await requireApiAdmin(request, context);
  const { format, ...filter } = eventsExportQuerySchema.parse(queryObject(request.nextUrl.searchParams));
  const events = eachEvent(context.db, filter);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      if (format === "csv") controller.enqueue(encoder.encode(csvLine([...EVENT_COLUMNS])));
    },
    async pull(controller) {
      const next = await events.next();
      if (next.done) {
        controller.close();
        return;
      }
      const event = next.value;
      controller.enqueue(encoder.encode(format === "csv" ? csvLine(EVENT_COLUMNS.map((c) => event[c])) : `${JSON.stringify(event)}\n`));
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(body, {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "Content-Disposition": `attachment; filename="sessionboard-events-${stamp}.${format === "csv" ? "csv" : "jsonl"}"`,
      "Cache-Control": "no-store",
    },
  });
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
