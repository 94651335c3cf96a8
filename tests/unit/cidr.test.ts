import { describe, expect, it } from "vitest";
import { canStartAddress, cidrContains, cidrTextPrefix, parseCidr, type Cidr } from "@/lib/net/cidr";
import { normalizeIp } from "@/lib/request/request-info";

const block = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
};

describe("CIDR blocks", () => {
  it("contain exactly the addresses of their range, IPv4 and IPv6", () => {
    const ten = block("10.0.0.0/8");
    expect(["10.0.0.0", "10.255.255.255", "10.1.2.3"].map((ip) => cidrContains(ten, ip))).toEqual([true, true, true]);
    expect(["9.255.255.255", "11.0.0.0", "100.1.2.3", "::a00:1", null].map((ip) => cidrContains(ten, ip))).toEqual([false, false, false, false, false]);
    const odd = block("192.168.4.0/22");
    expect(["192.168.4.0", "192.168.7.255", "192.168.3.255", "192.168.8.0"].map((ip) => cidrContains(odd, ip))).toEqual([true, true, false, false]);
    const v6 = block("2001:db8::/32");
    expect(["2001:db8::1", "2001:db8:ffff:1::", "2001:db9::1", "2001:db8::1%eth0", "10.0.0.1"].map((ip) => cidrContains(v6, ip))).toEqual([true, true, false, true, false]);
    const zeros = block("2001:0:0:1::/64");
    expect(["2001:0:0:1:5:6:7:8", "2001::1:5:6:7:8", "2001:0:0:2::1"].map((ip) => cidrContains(zeros, normalizeIp(ip)))).toEqual([true, true, false]);
    expect(cidrContains(block("0.0.0.0/0"), "203.0.113.9")).toBe(true);
    expect(cidrContains(block("::/0"), "203.0.113.9")).toBe(false);
  });

  it("refuse what is not a block, with a reason", () => {
    expect(parseCidr("10.1.2.3/8")).toBe("10.1.2.3/8 has address bits set past /8: did you mean 10.0.0.0/8?");
    expect(parseCidr("10.0.0.0/33")).toBe("the prefix length of 10.0.0.0/33 must be at most 32");
    expect(parseCidr("2001:db8::/129")).toBe("the prefix length of 2001:db8::/129 must be at most 128");
    expect(parseCidr("10.0.0/8")).toMatch(/is not a CIDR block/);
    expect(parseCidr("10.0.0.0")).toMatch(/is not a CIDR block/);
  });

  it("narrow by text only where every address of the block starts with it as stored", () => {
    expect(cidrTextPrefix(block("10.0.0.0/8"))).toEqual({ prefix: "10." });
    expect(cidrTextPrefix(block("10.1.0.0/20"))).toEqual({ prefix: "10.1." });
    expect(cidrTextPrefix(block("8.0.0.0/6"))).toEqual({ prefix: "" });
    expect(cidrTextPrefix(block("10.1.2.3/32"))).toEqual({ exact: "10.1.2.3" });
    expect(cidrTextPrefix(block("2001:db8::/32"))).toEqual({ prefix: "2001:db8:" });
    expect(cidrTextPrefix(block("2001:0:0:1::/64"))).toEqual({ prefix: "2001:" });
    expect(cidrTextPrefix(block("2001:db8::1/128"))).toEqual({ exact: "2001:db8::1" });
    // Every address of a block starts with its prefix once normalised.
    for (const [text, ips] of [
      ["2001:db8::/32", ["2001:db8:0:0:0:0:0:1", "2001:db8:1:0:0:0:0:0"]],
      ["2001:0:0:1::/64", ["2001:0:0:1:0:0:0:0", "2001:0:0:1:5:6:7:8"]],
      ["10.0.0.0/8", ["10.0.0.0", "10.200.3.4"]],
    ] as const) {
      const narrowed = cidrTextPrefix(block(text));
      for (const ip of ips) if ("prefix" in narrowed) expect(normalizeIp(ip)?.startsWith(narrowed.prefix), `${ip} in ${text}`).toBe(true);
    }
  });
});

describe("the start of an address (the ip filter without a block)", () => {
  it("is an address or what could begin one as addresses are stored", () => {
    for (const text of ["10.1.2.3", "10.1.", "10", "255.255.255.", "2001:db8::1", "2001:db8:", "2001", "fe80", "::", "::1", ":", "abcd:"]) {
      expect(canStartAddress(text), text).toBe(true);
    }
  });

  it("is not text no stored address can begin with", () => {
    for (const text of ["999.1.1.1", "1.2.3.256", "1.2.3.4.", "1.2.3.4.5", "1..2", ".1", "1234.1", "12345", "1:2:3:4:5:6:7:8:9", "1:::2", "1::2::3", "2001:db8:12345::", "1.2:3", "010.1.", "1.2.3.04", "2001:0db8:", ":1", "1:2:3:4:5:6:7:8:", "::1:2:3:4:5:6:7:8"]) {
      expect(canStartAddress(text), text).toBe(false);
    }
  });
});
