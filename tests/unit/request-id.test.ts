import { describe, expect, it } from "vitest";
import { requestIdFor } from "@/server/request-id.mjs";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("the request id", () => {
  it("is a new UUID for every request without a trusted proxy, whatever the client sent", () => {
    for (const offered of [undefined, "client-chosen-id", "abc"]) expect(requestIdFor(offered, 0)).toMatch(UUID);
    expect(requestIdFor(undefined, 0)).not.toBe(requestIdFor(undefined, 0));
  });

  it.each(["b7a4d0f2c6e84c1f9e2a3b5d7c9e1f20", "abc", "req:42.a_b-c", "x".repeat(128)])("takes %j from a trusted proxy", (offered) => {
    expect(requestIdFor(offered, 1)).toBe(offered);
    expect(requestIdFor(offered, 2)).toBe(offered);
  });

  it.each([["empty", ""], ["too long", "x".repeat(129)], ["a space", "a b"], ["a line break", "a\nforged"], ["a quote", 'a"b'], ["non-ASCII", "ünïcode"], ["two ids (a repeated header)", "a, b"]])(
    "replaces an id with %s even from a trusted proxy",
    (_, offered) => {
      expect(requestIdFor(offered, 1)).toMatch(UUID);
    },
  );

  it("replaces a repeated header Node hands over as a list", () => {
    expect(requestIdFor(["a", "b"], 1)).toMatch(UUID);
  });
});
