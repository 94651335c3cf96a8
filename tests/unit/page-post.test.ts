import { describe, expect, it } from "vitest";
import { PAGE_FORM_MAX_BYTES, pagePostProblem, unreadablePagePost } from "@/lib/http/page-post";

const field = (name: string, value: string) => `--zz\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const post = (body: string | Buffer, type = "multipart/form-data; boundary=zz", call = true) =>
  new Request("http://localhost/settings/sessions", {
    method: "POST",
    headers: { "content-type": type, ...(call ? { "next-action": "7f00" } : {}) },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
const codeOf = async (request: Request) => (await unreadablePagePost(request))?.code ?? null;

describe("the page-post gate", () => {
  it("lets through the two shapes the app's forms post", async () => {
    // React's call of an action with its form, and the form itself without script.
    expect(await codeOf(post(`${field("0", '["$K1"]')}${field("_1_sessionId", "abc")}--zz--\r\n`))).toBeNull();
    expect(await codeOf(post(`${field("$ACTION_ID_7f00", "")}${field("sessionId", "abc")}--zz--\r\n`, undefined, false))).toBeNull();
  });

  it("takes only multipart forms: a form's other encodings are no form of this app's (415)", () => {
    const problem = (type: string) => pagePostProblem("POST", new Headers({ "content-type": type }))?.code ?? null;
    expect(problem("multipart/form-data; boundary=zz")).toBeNull();
    for (const type of ["application/x-www-form-urlencoded", "text/plain;charset=UTF-8", "application/json", "multipart/form-data", ""]) {
      expect(problem(type), type).toBe("unsupported_media_type");
    }
  });

  it("refuses what Next or React would fail on", async () => {
    for (const [name, request] of [
      ["a call as text", post('["$K1"]', "text/plain;charset=UTF-8")],
      ["a call in other letters", post(`${field("0", '["$K1"]')}--zz--\r\n`, "Multipart/Form-Data; boundary=zz")],
      ["arguments that are not the form", post(`${field("0", '["$Q1"]')}--zz--\r\n`)],
      ["no arguments", post(`${field("_1_x", "1")}--zz--\r\n`)],
      ["the arguments twice", post(`${field("0", '["$K1"]')}${field("0", "{")}--zz--\r\n`)],
      ["a field read as the arguments", post(`${field("0", '["$K1"]')}${field("00", "x")}--zz--\r\n`)],
      ["a file", post(`${field("0", '["$K1"]')}--zz\r\nContent-Disposition: form-data; name="_1_x"; filename="a"\r\n\r\nABC\r\n--zz--\r\n`)],
      ["a body cut off inside a file", post(`${field("0", '["$K1"]')}--zz\r\nContent-Disposition: form-data; name="_1_x"; filename="a"\r\n\r\nABC`)],
      ["garbage claiming to be a form", post("garbage", undefined, false)],
      ["a form naming a bound action", post(`${field("$ACTION_REF_1", "")}${field("$ACTION_1:0", '{"id":"7f00"}')}--zz--\r\n`, undefined, false)],
      ["a form naming no action", post(`${field("sessionId", "abc")}--zz--\r\n`, undefined, false)],
      ["a form in other letters", post(`${field("$ACTION_ID_7f00", "")}--zz--\r\n`, "Multipart/Form-Data; boundary=zz", false)],
    ] as const) {
      expect(await codeOf(request), name).toBe("malformed_form");
    }
  });

  it("counts the bytes sent, not what Content-Length says", async () => {
    const large = Buffer.from(`${field("0", '["$K1"]')}${field("_1_x", "a".repeat(PAGE_FORM_MAX_BYTES))}--zz--\r\n`);
    expect(await codeOf(post(large))).toBe("payload_too_large");
    const form = (size: number) => Buffer.from(`${field("$ACTION_ID_7f00", "")}${field("x", "a".repeat(size))}--zz--\r\n`);
    expect(await codeOf(post(form(PAGE_FORM_MAX_BYTES), undefined, false))).toBe("payload_too_large");
    expect(await codeOf(post(form(1000), undefined, false))).toBeNull();
  });

  it("stops reading once a body passes the limit, and leaves the rest unread", async () => {
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x61));
      },
    });
    const request = new Request("http://localhost/settings/sessions", {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=zz", "next-action": "7f00" },
      body: endless,
      duplex: "half",
    } as RequestInit);
    expect(await codeOf(request)).toBe("payload_too_large");
    expect(sent).toBeLessThan(PAGE_FORM_MAX_BYTES * 2);
  }, 10_000);
});
