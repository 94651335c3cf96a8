import { describe, expect, it } from "vitest";
import { generateId } from "@/lib/sessions/token";
import { tempDatabase } from "./helpers";

describe("onQuery", () => {
  it("reports Prisma's statements and the backend's own driver statements, with their values", async () => {
    const sent: { sql: string; params: unknown[] }[] = [];
    const { db } = await tempDatabase({ onQuery: (sql, params) => sent.push({ sql, params }) });
    const id = generateId();
    await db.prisma.user.create({ data: { id, username: "query-log-user", authSource: "static" } });
    sent.length = 0;

    await db.prisma.user.findUnique({ where: { username: "query-log-user" } });
    expect(sent).toContainEqual({ sql: expect.stringMatching(/^SELECT .*\bUser\b/), params: expect.arrayContaining(["query-log-user"]) });

    sent.length = 0;
    await db.findSessionByTokenHash("no-such-token-hash");
    expect(sent).toEqual([{ sql: expect.stringMatching(/tokenHash/), params: ["no-such-token-hash"] }]);
  });

  it("reports nothing unless asked", async () => {
    const { db } = await tempDatabase();
    await expect(db.prisma.user.count()).resolves.toBe(0);
  });
});
