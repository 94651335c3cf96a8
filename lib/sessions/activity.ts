import { z } from "zod";
import type { Database } from "../db";
import { describeUserAgent, isoTimeSchema } from "./present";

/** One place a session has been used from, as the API and the detail pages show it. */
export const activityJsonSchema = z.object({
  ipAddress: z.string().nullable(),
  country: z.string().nullable().describe("Approximate, from a trusted proxy (ISO 3166-1 alpha-2)"),
  city: z.string().nullable().describe("Approximate, from a trusted proxy"),
  userAgent: z.string().nullable(),
  browser: z.string().nullable(),
  os: z.string().nullable(),
  firstSeenAt: isoTimeSchema,
  lastSeenAt: isoTimeSchema,
});
export type ActivityJson = z.infer<typeof activityJsonSchema>;

/** The `activity` field of a session's detail, in the owner's API and the admin's alike. */
export const activityField = {
  activity: z.array(activityJsonSchema).describe("Where it has been used from (address and user agent), most recent first"),
};

/**
 * The distinct (address, user agent) pairs a session has been used from, most recently seen first
 * (written by the activity update in sessions.ts; at most ACTIVITY_ENTRIES_KEPT of them).
 */
export async function listSessionActivity(db: Database, sessionId: string): Promise<ActivityJson[]> {
  const rows = await db.prisma.sessionActivity.findMany({ where: { sessionId }, orderBy: [{ lastSeenAt: "desc" }, { firstSeenAt: "desc" }] });
  return rows.map((row) => {
    // Stored as "" when unknown, so that the pair can be the key.
    const userAgent = row.userAgent || null;
    const { browser, os } = describeUserAgent(userAgent);
    return {
      ipAddress: row.ipAddress || null,
      country: row.country,
      city: row.city,
      userAgent,
      browser,
      os,
      firstSeenAt: row.firstSeenAt.toISOString(),
      lastSeenAt: row.lastSeenAt.toISOString(),
    };
  });
}
