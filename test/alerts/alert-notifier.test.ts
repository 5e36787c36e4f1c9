/**
 * The notifier against loopback receivers: Slack's 429 is waited out as its
 * Retry-After says and the post tried again; a target that cannot be reached
 * is tried `attempts` times and logged without its URL.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { type AlertMessage, createAlertNotifier } from "../../src/alerts/alert-notifier.js";
import { systemClock } from "../../src/core/clock.js";
import { freePort } from "../../src/demo/free-port.js";
import { createLogger } from "../../src/logging/create-logger.js";
import { useCleanup } from "../tiers/tier-kit.js";

const cleanup = useCleanup();
const message: AlertMessage = {
  key: "dlq",
  state: "raised",
  title: "The DLQ holds 120 letters <!channel>",
  text: "100 dead leads & 20 dead sink deliveries (threshold 100).",
  action: "Run `claypipe dlq list`.",
  at: 0,
};

function captureLogs(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const logger = createLogger(
    "warn",
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { lines, logger };
}

describe("the alert notifier", () => {
  it("waits out Slack's 429 Retry-After and posts the escaped message again", async () => {
    const bodies: string[] = [];
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk;
      });
      request.on("end", () => {
        bodies.push(body);
        if (bodies.length === 1)
          response.writeHead(429, { "retry-after": "0" }).end("rate_limited");
        else response.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanup(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const { lines, logger } = captureLogs();
    const notify = createAlertNotifier(
      { attempts: 3, timeout: 5000 },
      { clock: systemClock, logger },
    );

    const sent = await notify(
      message,
      { type: "slack", webhookUrl: `http://127.0.0.1:${port}/services/T/B/token` },
      0,
      new AbortController().signal,
    );
    expect(sent).toBe(true);
    expect(bodies).toHaveLength(2);
    expect(JSON.parse(bodies[1]!).text).toBe(
      [
        ":warning: *The DLQ holds 120 letters &lt;!channel&gt;*",
        "100 dead leads &amp; 20 dead sink deliveries (threshold 100).",
        "*What to do:* Run `claypipe dlq list`.",
      ].join("\n"),
    );
    expect(lines).toEqual([]);
  });

  it("gives up after its attempts on a target it cannot reach, logging no URL", async () => {
    const port = await freePort();
    const { lines, logger } = captureLogs();
    const notify = createAlertNotifier(
      { attempts: 2, timeout: 5000 },
      { clock: systemClock, logger },
    );
    const url = `http://127.0.0.1:${port}/hooks/secret-path-token`;

    expect(await notify(message, { type: "webhook", url }, 1, new AbortController().signal)).toBe(
      false,
    );
    expect(
      await notify(message, { type: "slack", webhookUrl: url }, 2, new AbortController().signal),
    ).toBe(false);
    expect(lines).toHaveLength(2);
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      {
        alert: "dlq",
        target: 1,
        type: "webhook",
        msg: "alert not delivered; tried again at the next check",
      },
      { alert: "dlq", target: 2, type: "slack" },
    ]);
    expect(lines.join("")).not.toContain("secret-path-token");
  });
});
