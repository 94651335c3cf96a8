import { createServer } from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { answersOf } from "@/server/answers.mjs";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A server that tracks its answers as server.mjs does; `answer` decides what each request gets. */
async function serverWith(answer: (n: number, res: import("node:http").ServerResponse) => void) {
  const done: string[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const id = ++n;
    answers.track(req, res, () => done.push(`${req.url} ${res.writableFinished ? "completed" : "aborted"}`));
    answer(id, res);
  });
  const answers = answersOf(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { port: (server.address() as AddressInfo).port, answers, done };
}

/** Sends raw bytes on one connection and resolves with everything read once the server closes it (or after `ms`). */
function exchange(port: number, bytes: string, ms = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let read = "";
    const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes));
    const timer = setTimeout(() => socket.end(), ms);
    socket.on("data", (chunk) => (read += chunk.toString()));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(read);
    });
    socket.on("error", reject);
  });
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`;

describe("the answers a server is writing (server.mjs: access lines, shutdown)", () => {
  it("ends each answer once, on a kept-alive connection too", async () => {
    const { port, answers, done } = await serverWith((_, res) => res.end("ok"));
    const read = await exchange(port, get("/a") + get("/b") + get("/c"), 500);
    expect(read.match(/HTTP\/1\.1 200/g)).toHaveLength(3);
    expect(done).toEqual(["/a completed", "/b completed", "/c completed"]);
    expect(answers.open.size).toBe(0);
    await answers.drained();
  });

  it("ends a request pipelined behind an answer that closed the connection, which Node never answers", async () => {
    // As during a shutdown: the first answer closes its connection, the second is never written.
    const { port, answers, done } = await serverWith((n, res) => {
      if (n === 1) {
        setTimeout(() => {
          res.shouldKeepAlive = false;
          res.end("ok");
        }, 100);
      }
    });
    const waited = answers.drained();
    const read = await exchange(port, get("/first") + get("/behind"));
    expect(read.match(/HTTP\/1\.1 200/g)).toHaveLength(1);
    expect(done).toEqual(["/first completed", "/behind aborted"]);
    expect(answers.open.size).toBe(0);
    await waited;
  });
});
