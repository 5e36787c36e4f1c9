/**
 * The dashboard's overview on each tier with a store (standard on SQLite;
 * queue on PostgreSQL and Redis; event on PostgreSQL and NATS), against the
 * Clay emulator: the live stream (server-sent events) carries new figures as
 * leads are delivered, with no reload, and the page shows the tier's own
 * backlog (the outbox, the BullMQ queue, the bus's consumer lag) and breakers.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "../temp-dirs.js";
import { login } from "../ui/ui-client.js";
import { startService, startTierEmulator, tierClay, tierSettings, useCleanup } from "./tier-kit.js";

const cleanup = useCleanup();
const UI_KEY = "ui-key-overview-0123456789";
const BACKLOG = { standard: "Outbox", queue: "Queue backlog", event: "Bus lag" } as const;

describe.each(["standard", "queue", "event"] as const)("the overview on the %s tier", (tier) => {
  it("streams the delivered count as leads arrive, and shows the tier's backlog", async () => {
    const running = await startTierEmulator(cleanup);
    const { pipeline, url } = await startService(cleanup, {
      ...tierSettings(cleanup, tier, `overview_${tier}`),
      clay: tierClay(running),
      server: { apiKeys: [UI_KEY] },
      sinks: [{ type: "file", name: "out", path: join(makeTempDir("overview"), "out.jsonl") }],
      routes: { default: ["out"] },
      logLevel: "silent",
    });
    const ui = await login(url, UI_KEY);
    const stream = await openStream(url, ui.cookie);
    try {
      expect(await stream.nextDelivered()).toBe(0);
      await pipeline.submit(
        ["ada", "alan", "grace"].map((name) => ({ email: `${name}@overview.example` })),
      );
      let delivered = 0;
      while (delivered < 3) delivered = await stream.nextDelivered();
      expect(delivered).toBe(3);
    } finally {
      stream.close();
    }

    const page = await ui.get("/ui");
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-test="state-delivered">3</);
    expect(page.text).toContain(`<h2>${BACKLOG[tier]}</h2>`);
    expect(page.text).toMatch(/main: <span class="badge breaker-closed">closed/);
  });
});

/** The overview's live stream, read as a browser's EventSource would. */
async function openStream(url: string, cookie: string) {
  const controller = new AbortController();
  const answer = await fetch(`${url}/ui/stream`, {
    headers: { cookie },
    signal: controller.signal,
  });
  expect(answer.headers.get("content-type")).toContain("text/event-stream");
  const reader = answer.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  return {
    /** The delivered figure of the next `overview` event. */
    async nextDelivered(): Promise<number> {
      for (;;) {
        const end = buffered.indexOf("\n\n");
        if (end >= 0) {
          const event = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const figure = /data-test="state-delivered">([\d,]+)</.exec(event)?.[1];
          if (event.startsWith("event: overview") && figure)
            return Number(figure.replaceAll(",", ""));
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("the stream ended");
        buffered += decoder.decode(value, { stream: true });
      }
    },
    close: () => controller.abort(),
  };
}
