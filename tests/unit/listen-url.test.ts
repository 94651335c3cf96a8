import { describe, expect, it } from "vitest";
import { listenUrl } from "@/server/listen-url.mjs";

describe("the address npm start announces", () => {
  it("brackets an IPv6 address and names a wildcard bind localhost", () => {
    expect(listenUrl("127.0.0.1", 3000)).toBe("http://127.0.0.1:3000");
    expect(listenUrl("0.0.0.0", 3000)).toBe("http://localhost:3000");
    expect(listenUrl("::", 3000)).toBe("http://localhost:3000");
    expect(listenUrl("::1", 4602)).toBe("http://[::1]:4602");
    expect(listenUrl("fe80::1", 9464, "/metrics")).toBe("http://[fe80::1]:9464/metrics");
    expect(listenUrl("sessions.internal", 8080)).toBe("http://sessions.internal:8080");
  });
});
