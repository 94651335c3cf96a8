import { z } from "zod";
import { parseInstant } from "../validation/instant";
import type { PartBound } from "../db";
import { decimalNumber } from "../validation/number";

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
    const at = parseInstant(iso ?? "");
    if (rest.length > 0 || !id || !/^[A-Za-z0-9_-]{1,64}$/.test(id) || !at || (part !== undefined && part !== "1")) {
      ctx.addIssue({ code: "custom", message: "cursor is not valid (use nextCursor from the previous page)" });
      return z.NEVER;
    }
    return part === undefined ? { at, id } : { at, id, part: Number(part) };
  });

export const pageSizeSchema = (fallback: number, max: number) =>
  decimalNumber(z.number().int("limit must be a whole number").min(1, "limit must be at least 1").max(max, `limit must be at most ${max}`), "limit must be a number").default(fallback);

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
 * Where part `part` continues after `cursor` (null: from its start): on equal times an earlier part
 * comes first, so ids are only ever compared within one part, by the database, in its collation.
 */
export function partBound(cursor: Cursor | undefined, part: number): PartBound | null {
  if (!cursor) return null;
  const from = cursor.part ?? 0;
  if (part === from) return { at: cursor.at, tie: { idBelow: cursor.id } };
  return { at: cursor.at, tie: part > from ? "all" : "none" };
}

/** partBound as a Prisma where clause on `field`. */
export function partRowsAfter<F extends string>(field: F, cursor: Cursor | undefined, part: number) {
  const bound = partBound(cursor, part);
  if (!bound) return {};
  if (typeof bound.tie === "object") return rowsAfter(field, { at: bound.at, id: bound.tie.idBelow });
  return { [field]: bound.tie === "all" ? { lte: bound.at } : { lt: bound.at } } as { [K in F]: { lte: Date } | { lt: Date } };
}

/** A row of a list read in parts: the part it came from and its time there, which make its cursor. */
export type PartRow<T extends { id: string }> = { row: T; part: number; at: Date };

/** Where the list continues after `last`. */
export const cursorAfter = (last: PartRow<{ id: string }>): Cursor => ({ at: last.at, id: last.row.id, part: last.part });

/**
 * The first `take` rows of the parts' pages (each in its list order, each at most `take` long: those
 * hold the first `take` of all) merged by time, newest first, an earlier part first on equal times.
 */
export function mergeParts<T extends { id: string }>(pages: T[][], timeOf: (row: T, part: number) => Date, take: number): PartRow<T>[] {
  const merged: PartRow<T>[] = [];
  const next = pages.map(() => 0);
  while (merged.length < take) {
    let best: PartRow<T> | null = null;
    for (let part = 0; part < pages.length; part++) {
      const row = pages[part][next[part]];
      if (row === undefined) continue;
      const at = timeOf(row, part);
      if (!best || at.getTime() > best.at.getTime()) best = { row, part, at };
    }
    if (!best) break;
    merged.push(best);
    next[best.part]++;
  }
  return merged;
}
