import { describe, expect, it } from "vitest";
import type { PartBound, SessionListPart } from "@/lib/db";
import { openAlertsStatement, userSessionsStatement, type ListDialect } from "@/lib/db/list-statements";

const dialect = (literalLimit: boolean, jsonRows = false): ListDialect => ({
  placeholder: (_name, index) => `$${index + 1}`,
  notEnded: (alias) => `${alias}."revokedAt" IS NULL`,
  oneOf: (column, list) => `${column} = ANY(${list})`,
  date: (value) => value,
  list: (values) => values,
  literalLimit,
  jsonRows,
});

describe("the list statements", () => {
  const part = { rows: "ended_marked", order: "revokedAt" } as const;

  it("write the row count into the text where the backend wants it there, one statement per count", () => {
    const literal = userSessionsStatement(dialect(true), "u1", [{ part, after: null, take: 11 }]);
    expect(literal.text).toMatch(/ LIMIT 11$/);
    expect(literal.params.map(([name]) => name)).toEqual(["userId"]);
    expect(userSessionsStatement(dialect(true), "u1", [{ part, after: null, take: 51 }]).key).not.toBe(literal.key);

    const bound = userSessionsStatement(dialect(false), "u1", [{ part, after: null, take: 11 }]);
    expect(bound.text).toMatch(/ LIMIT \$2$/);
    expect(bound.key).toBe(userSessionsStatement(dialect(false), "u2", [{ part, after: null, take: 51 }]).key);
  });

  it("read several parts in one statement: each its own SELECT, its parameters named after it, the rows sorted by read", () => {
    const at = new Date("2026-12-01T00:00:00Z");
    const active: SessionListPart = { rows: "active", order: "lastActiveAt", now: at, keyFingerprints: ["a"], pending: null };
    const expired: SessionListPart = { rows: "expired_unmarked", order: "expiresAt", floor: new Date(0), until: at };
    const reads = [
      { part: active, after: { at, tie: { idBelow: "x" } }, take: 11 },
      { part, after: null, take: 11 },
      { part: expired, after: null, take: 3 },
    ];
    const both = userSessionsStatement(dialect(true), "u1", reads);
    expect(both.text.split(" UNION ALL ")).toHaveLength(3);
    expect(both.text).toMatch(/ ORDER BY "read", "listAt" DESC, "id" DESC$/);
    const names = both.params.map(([name]) => name);
    expect(new Set(names).size, "no name bound twice").toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["userId0", "userId1", "userId2", "at0", "idBelow0", "floor2", "until2"]));
    expect(both.key).toBe(reads.map((read) => userSessionsStatement(dialect(true), "u1", [read]).key).join("+"));
    expect(() => userSessionsStatement(dialect(true), "u1", [])).toThrow(RangeError);
  });

  it("with JSON rows, give each row as one column and sort the rows again outside, as the statement inside sorted them", () => {
    const at = new Date("2026-12-01T00:00:00Z");
    const active: SessionListPart = { rows: "active", order: "lastActiveAt", now: at, keyFingerprints: ["a"], pending: null };
    const one = userSessionsStatement(dialect(false, true), "u1", [{ part, after: null, take: 11 }]);
    expect(one.text).toMatch(/^SELECT row_to_json\(t\) AS "row" FROM \(SELECT .* ORDER BY s\."revokedAt" DESC, s\."id" DESC LIMIT \$2\) t ORDER BY t\."revokedAt" DESC, t\."id" DESC$/);
    expect(one.key).toBe(userSessionsStatement(dialect(false), "u1", [{ part, after: null, take: 11 }]).key);
    const both = userSessionsStatement(dialect(false, true), "u1", [{ part: active, after: null, take: 11 }, { part, after: null, take: 11 }]);
    expect(both.text).toMatch(/^SELECT row_to_json\(t\) AS "row" FROM \(.* UNION ALL .* ORDER BY "read", "listAt" DESC, "id" DESC\) t ORDER BY t\."read", t\."listAt" DESC, t\."id" DESC$/);
    const alerts = openAlertsStatement(dialect(false, true), "u1", at, active, 20);
    expect(alerts.text).toMatch(/^SELECT row_to_json\(t\) AS "row" FROM \(SELECT .* ORDER BY a\."createdAt" DESC, a\."id" DESC LIMIT \$\d+\) t ORDER BY t\."createdAt" DESC, t\."id" DESC$/);
    expect(userSessionsStatement(dialect(false), "u1", [{ part, after: null, take: 11 }]).text).not.toContain("row_to_json");
  });

  it("refuse a row count that is not a positive whole number, rather than write it into SQL", () => {
    for (const take of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => userSessionsStatement(dialect(true), "u1", [{ part, after: null, take }])).toThrow(RangeError);
    }
  });

  it("give one key one text, whatever the values bound to it, on both kinds of backend", () => {
    const at = new Date("2026-12-01T00:00:00Z");
    const ties: (PartBound | null)[] = [null, { at, tie: "all" }, { at, tie: "none" }, { at, tie: { idBelow: "x" } }, { at: new Date(0), tie: { idBelow: "y" } }];
    const parts: SessionListPart[] = [{ rows: "ended_marked", order: "revokedAt" }, { rows: "expired_unmarked", order: "expiresAt", floor: new Date(0), until: at }];
    for (const order of ["lastActiveAt", "createdAt"] as const) {
      parts.push({ rows: "all", order });
      for (const pending of [null, { at, keepSessionId: null }, { at, keepSessionId: "k" }]) {
        for (const keyFingerprints of [[], ["a"], ["a", "b"]]) parts.push({ rows: "active", order, now: at, keyFingerprints, pending });
      }
    }
    for (const literalLimit of [true, false]) {
      const texts = new Map<string, Set<string>>();
      const add = ({ key, text }: { key: string; text: string }) => texts.set(key, (texts.get(key) ?? new Set()).add(text));
      for (const part of parts) {
        for (const after of ties) for (const take of [1, 11, 51]) for (const user of ["u1", "u2"]) add(userSessionsStatement(dialect(literalLimit), user, [{ part, after, take }]));
        if (part.rows === "active") for (const take of [1, 20]) add(openAlertsStatement(dialect(literalLimit), "u1", at, part, take));
      }
      for (const [key, seen] of texts) expect(seen.size, `${literalLimit ? "literal" : "bound"} limit, key ${key}`).toBe(1);
      // Shapes differ: rows and order, pending or not, the tie's kind, and (written in) the row count.
      expect(texts.size, literalLimit ? "literal limit" : "bound limit").toBe(literalLimit ? 3 * (2 + 2 + 4) * 4 + 2 * 2 : (2 + 2 + 4) * 4 + 2);
    }
  });
});
