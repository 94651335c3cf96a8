import { z } from "zod";

/**
 * A keyset position: the sort value and the id of the last row on the page (the tiebreaker), and
 * for a list read in parts (partRowsAfter) the part that row came from; 0 when absent.
 */
export type Cursor = { at: Date; id: string; part?: number };

/** Opaque to clients: base64url of `<ISO time>|<id>`, then `|<part>` for a part after the first. */
export const encodeCursor = (cursor: Cursor) =>
  Buffer.from(`${cursor.at.toISOString()}|${cursor.id}${cursor.part ? `|${cursor.part}` : ""}`).toString("base64url");

export const cursorSchema = z
  .string()
  .max(200, "cursor is too long")
  .transform((value, ctx): Cursor => {
    const [iso, id, part, ...rest] = Buffer.from(value, "base64url").toString("utf8").split("|");
    const at = new Date(iso ?? "");
    if (rest.length > 0 || !id || !/^[A-Za-z0-9_-]{1,64}$/.test(id) || Number.isNaN(at.getTime()) || (part !== undefined && part !== "1")) {
      ctx.addIssue({ code: "custom", message: "cursor is not valid (use nextCursor from the previous page)" });
      return z.NEVER;
    }
    return part === undefined ? { at, id } : { at, id, part: Number(part) };
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

/**
 * A list made of disjoint parts, each read in (its own time column DESC, id DESC) order through an
 * index of its own — e.g. the ended sessions: those marked ended, and the expiries not marked yet.
 * The rows of part `part` after `cursor`: on equal times an earlier part comes first, so ids are
 * only ever compared within one part, by the database, in its collation.
 */
export function partRowsAfter<F extends string>(field: F, cursor: Cursor | undefined, part: number) {
  const from = cursor?.part ?? 0;
  if (!cursor || part === from) return rowsAfter(field, cursor);
  return { [field]: part > from ? { lte: cursor.at } : { lt: cursor.at } } as { [K in F]: { lte: Date } | { lt: Date } };
}

/**
 * The first `take` rows of the parts' pages (each in its list order, each at most `take` long: those
 * hold the first `take` of all) merged by time, newest first, an earlier part first on equal times;
 * each with the part it came from, for its cursor.
 */
export function mergeParts<T>(pages: T[][], timeOf: (row: T, part: number) => Date, take: number): { row: T; part: number }[] {
  const merged: { row: T; part: number }[] = [];
  const next = pages.map(() => 0);
  while (merged.length < take) {
    let best = -1;
    for (let part = 0; part < pages.length; part++) {
      if (next[part] >= pages[part].length) continue;
      if (best < 0 || timeOf(pages[part][next[part]], part).getTime() > timeOf(pages[best][next[best]], best).getTime()) best = part;
    }
    if (best < 0) break;
    merged.push({ row: pages[best][next[best]], part: best });
    next[best]++;
  }
  return merged;
}
