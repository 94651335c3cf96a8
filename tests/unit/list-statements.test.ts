import { describe, expect, it } from "vitest";
import { userSessionsStatement, type ListDialect } from "@/lib/db/list-statements";

const dialect = (literalLimit: boolean): ListDialect => ({
  placeholder: (_name, index) => `$${index + 1}`,
  notEnded: (alias) => `${alias}."revokedAt" IS NULL`,
  oneOf: (column, list) => `${column} = ANY(${list})`,
  date: (value) => value,
  list: (values) => values,
  literalLimit,
});

describe("the list statements", () => {
  const part = { rows: "ended_marked", order: "revokedAt" } as const;

  it("write the row count into the text where the backend wants it there, one statement per count", () => {
    const literal = userSessionsStatement(dialect(true), "u1", part, null, 11);
    expect(literal.text).toMatch(/ LIMIT 11$/);
    expect(literal.params.map(([name]) => name)).toEqual(["userId"]);
    expect(userSessionsStatement(dialect(true), "u1", part, null, 51).key).not.toBe(literal.key);

    const bound = userSessionsStatement(dialect(false), "u1", part, null, 11);
    expect(bound.text).toMatch(/ LIMIT \$2$/);
    expect(bound.key).toBe(userSessionsStatement(dialect(false), "u2", part, null, 51).key);
  });

  it("refuse a row count that is not a positive whole number, rather than write it into SQL", () => {
    for (const take of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => userSessionsStatement(dialect(true), "u1", part, null, take)).toThrow(RangeError);
    }
  });

  it("give equal keys only to equal texts", () => {
    const at = new Date("2026-12-01T00:00:00Z");
    const shapes = [
      userSessionsStatement(dialect(true), "u", part, null, 3),
      userSessionsStatement(dialect(true), "u", part, { at, tie: "all" }, 3),
      userSessionsStatement(dialect(true), "u", part, { at, tie: "none" }, 3),
      userSessionsStatement(dialect(true), "u", part, { at, tie: { idBelow: "x" } }, 3),
      userSessionsStatement(dialect(true), "u", { rows: "active", order: "lastActiveAt", now: at, keyFingerprints: [], pending: null }, null, 3),
      userSessionsStatement(dialect(true), "u", { rows: "active", order: "lastActiveAt", now: at, keyFingerprints: [], pending: { at, keepSessionId: null } }, null, 3),
      userSessionsStatement(dialect(true), "u", { rows: "active", order: "createdAt", now: at, keyFingerprints: [], pending: null }, null, 3),
      userSessionsStatement(dialect(true), "u", { rows: "all", order: "createdAt" }, null, 3),
    ];
    expect(new Set(shapes.map((s) => s.key)).size).toBe(shapes.length);
    expect(new Set(shapes.map((s) => s.text)).size).toBe(shapes.length);
  });
});
