import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { reportDatabaseFailure } from "../db/availability";
import { REQUEST_PATH_HEADER } from "./request-path";

/**
 * For pages, layouts and server actions: a database outage met while rendering sends the browser
 * to /unavailable (the proxy answers it with the 503 page) instead of ending in a 500. Anything
 * else is rethrown.
 */
export async function whileDatabaseAvailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!reportDatabaseFailure(error)) throw error;
    const path = (await headers()).get(REQUEST_PATH_HEADER) ?? "/";
    redirect(`/unavailable?next=${encodeURIComponent(path)}`);
  }
}
