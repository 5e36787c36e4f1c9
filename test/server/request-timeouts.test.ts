/**
 * Slow clients over a raw socket: a request whose body trickles in, chunk by
 * chunk, must not hold a connection open for ever. Past `server.requestTimeout`
 * the server answers 408 in its own error shape and closes the connection,
 * on every route, guarded or not.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { API_KEY, type Harness, startHarness } from "./server-harness.js";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ start: false, server: { requestTimeout: "1s" } });
});
afterAll(() => harness.close());

interface SlowRequest {
  /** Everything the server wrote before it closed. */
  answer: string;
  /** Chunks sent before the server closed. */
  chunks: number;
}

/** Sends the headers, then one body chunk every 100 ms, until the server closes (or 100 chunks: never). */
function trickle(path: string, headers: Record<string, string>): Promise<SlowRequest> {
  const { port } = new URL(harness.url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), "127.0.0.1");
    let answer = "";
    let chunks = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding("utf8");
    socket.on("data", (data) => {
      answer += data;
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ answer, chunks });
    });
    socket.on("connect", () => {
      const head = Object.entries({ host: "localhost", "transfer-encoding": "chunked", ...headers })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("");
      socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n1\r\n[\r\n`);
      timer = setInterval(() => {
        chunks += 1;
        if (chunks > 100) {
          clearInterval(timer);
          socket.destroy();
          reject(new Error(`no answer after ${chunks} chunks: ${answer}`));
          return;
        }
        if (!socket.destroyed) socket.write("1\r\n \r\n");
      }, 100);
    });
  });
}

it("answers 408 and closes a request whose body trickles in past server.requestTimeout", async () => {
  const guarded = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };
  const [intake, callback] = await Promise.all([
    trickle("/v1/leads", guarded),
    trickle(`/v1/callbacks/clay/${"a".repeat(40)}`, { "content-type": "application/json" }),
  ]);
  for (const request of [intake, callback]) {
    expect(request.answer).toMatch(/^HTTP\/1\.1 408 /);
    const body = JSON.parse(request.answer.slice(request.answer.indexOf("\r\n\r\n") + 4));
    expect(body).toMatchObject({ error: "request_timeout" });
    expect(body.hint).toContain("server.requestTimeout");
    // Closed once the time was up, long before the 100 chunks (10 s) the client would send.
    expect(request.chunks).toBeLessThan(100);
  }
});
