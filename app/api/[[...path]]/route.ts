import { apiRoute } from "@/lib/http/api";
import { ApiError } from "@/lib/http/errors";

/**
 * Every /api address no route serves, whatever the method: 404 in the API's error shape (Next's
 * own 404 is the HTML page). Routes with a more specific path always win over this one.
 */
const nothingHere = apiRoute<{ path?: string[] }>(
  async () => {
    throw ApiError.of("not_found");
  },
  // Nothing here needs the database: an outage does not turn "no such address" into a 503.
  { duringOutage: "run" },
);

export {
  nothingHere as GET,
  nothingHere as HEAD,
  nothingHere as POST,
  nothingHere as PUT,
  nothingHere as DELETE,
  nothingHere as PATCH,
  nothingHere as OPTIONS,
};
