/**
 * Seeing the SQL a backend sends, with its bound values (benchmarks show each query's plan). Off
 * unless asked for: Prisma then emits no query events at all.
 */
export type QueryListener = (sql: string, params: unknown[]) => void;

export type OpenOptions = {
  /** Called with every statement the backend sends, Prisma's and its own driver's, and its values. */
  onQuery?: QueryListener;
  /** Overrides the configuration's DASHBOARD_WEBHOOK_URL list (see Database.webhookUrls). */
  webhookUrls?: readonly string[];
};

/** The PrismaClient option that turns query events on. */
export const QUERY_EVENTS = [{ emit: "event", level: "query" }] as const;

type QueryEmitter = { $on(event: "query", listener: (event: { query: string; params: string }) => void): unknown };

/** Forwards a client's query events (their values arrive as JSON text) to `listener`. */
export function forwardQueries(client: QueryEmitter, listener: QueryListener): void {
  client.$on("query", (event) => {
    let params: unknown = [];
    try {
      params = JSON.parse(event.params);
    } catch {
      // Not JSON: pass no values rather than fail the query's caller.
    }
    listener(event.query, Array.isArray(params) ? params : []);
  });
}
