import { apiRoute, json } from "@/lib/http/api";
import { allowOnly } from "@/lib/http/methods";
import { openApiDocumentFor } from "@/lib/http/openapi/document";
import { getConfig } from "@/lib/config";

/**
 * The OpenAPI 3.1 description of this API. Public on purpose: it is documentation, the same for
 * everyone, and names no secret (the cookie's name and the server's URL are no secret). It needs
 * no database, so it answers during an outage too; clients may cache it for an hour.
 */
export const GET = apiRoute(async () => json(openApiDocumentFor(getConfig()), { headers: { "Cache-Control": "public, max-age=3600" } }), {
  duringOutage: "run",
});

export const { HEAD, POST, PUT, DELETE, PATCH, OPTIONS } = allowOnly({ GET });
