import { z } from "zod";

/** A keyset position: the sort value and the id of the last row on the page (the tiebreaker). */
export type Cursor = { at: Date; id: string };

/** Opaque to clients: base64url of `<ISO time>|<id>`. */
export const encodeCursor = (cursor: Cursor) =>
  Buffer.from(`${cursor.at.toISOString()}|${cursor.id}`).toString("base64url");

export const cursorSchema = z
  .string()
  .max(200, "cursor is too long")
  .transform((value, ctx): Cursor => {
    const [iso, id, ...rest] = Buffer.from(value, "base64url").toString("utf8").split("|");
    const at = new Date(iso ?? "");
    if (rest.length > 0 || !id || !/^[A-Za-z0-9_-]{1,64}$/.test(id) || Number.isNaN(at.getTime())) {
      ctx.addIssue({ code: "custom", message: "cursor is not valid (use nextCursor from the previous page)" });
      return z.NEVER;
    }
    return { at, id };
  });

export const pageSizeSchema = (fallback: number, max: number) =>
  z.coerce
    .number({ error: "limit must be a number" })
    .int("limit must be a whole number")
    .min(1, "limit must be at least 1")
    .max(max, `limit must be at most ${max}`)
    .default(fallback);

/**
 * The rows after `cursor` in a (field DESC, id DESC) order. The leading `field <= at` is implied by
 * the OR but lets the database start its index range at the cursor instead of scanning down to it.
 */
export function rowsAfter<F extends string>(field: F, cursor: Cursor | undefined) {
  if (!cursor) return {};
  return {
    AND: [
      { [field]: { lte: cursor.at } } as { [K in F]: { lte: Date } },
      { OR: [{ [field]: { lt: cursor.at } } as { [K in F]: { lt: Date } }, { [field]: cursor.at, id: { lt: cursor.id } } as { [K in F]: Date } & { id: { lt: string } }] },
    ],
  };
}

/**
 * A keyset query asks for limit + 1 rows; this splits them into the page and the cursor of its last
 * row, or null when the extra row shows there is nothing more.
 */
export function keysetPage<T>(rows: T[], limit: number, cursorOf: (last: T) => string): { rows: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: cursorOf(page[limit - 1]) };
}
