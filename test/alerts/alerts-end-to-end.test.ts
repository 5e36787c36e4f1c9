/**
 * Alerts end to end: a standard-tier pipeline (SQLite, the emulator as Clay)
 * with a local receiver standing in for Slack and an alert webhook. The credit
 * cap's 80% and 100% alerts arrive once each on both targets (the webhook's
 * signed, and after a refused first check tried again), the breaker's open and
 * closed alerts arrive when the emulator has an outage, nothing repeats on
 * later checks, and the webhook's URL is not in the logs. Lost callbacks are
 * said once as stopped, and once as arriving again when a lead finishes.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import type { RunningEmulator } from "../../src/emulator/index.js";
import {
  type ClaypipeConfigInput,
  configSchema,
  createPipeline,
  createServer,
  type Pipeline,
} from "../../src/index.js";
import { createLogger } from "../../src/logging/create-logger.js";
import { createStandardWebhooks } from "../../src/sinks/webhook/standard-webhooks.js";
import { makeTempDir } from "../temp-dirs.js";
import { startTierEmulator, until, useCleanup } from "../tiers/tier-kit.js";
import { type AlertReceiver, type ReceivedPost, startAlertReceiver } from "./alert-receiver.js";

const cleanup = useCleanup();
const SECRET = `whsec_${randomBytes(32).toString("base64")}`;

async function receiver(options: { failFirst?: number } = {}): Promise<AlertReceiver> {
  const started = await startAlertReceiver(options);
  cleanup(() => started.close());
  return started;
}

/** A standard-tier pipeline and its server, started, alerting to `alerts`; its warn logs in `logs`. */
async function standardPipeline(
  running: RunningEmulator,
  alerts: AlertReceiver,
  settings: Partial<ClaypipeConfigInput>,
): Promise<{ pipeline: Pipeline; logs: string[] }> {
  const port = await freePort();
  const config = configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [
        {
          name: "main",
          rateLimit: { perSecond: 100, burst: 50 },
          costEstimate: { actions: 1, data: 10 },
          credits: { daily: { data: 50 } },
          tables: [
            { name: "leads", id: "t_leads", webhooks: [{ url: running.webhookUrl("t_leads") }] },
          ],
        },
      ],
    },
    store: { sqlite: { path: join(makeTempDir("alerts"), "claypipe.db") } },
    callbacks: { baseUrl: `http://127.0.0.1:${port}`, secret: randomBytes(32).toString("hex") },
    server: { port },
    alerts: {
      targets: [
        { type: "slack", webhookUrl: alerts.slackUrl },
        { type: "webhook", url: alerts.webhookUrl, secret: SECRET },
      ],
      checkEvery: "50ms",
      rowsLeft: 0,
      submissionsLeft: 0,
    },
    logLevel: "silent",
    ...settings,
  });
  const logs: string[] = [];
  const logger = createLogger(
    "warn",
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  const pipeline = await createPipeline(config, { logger });
  const server = await createServer({ pipeline, config });
  cleanup(() => pipeline.stop());
  cleanup(() => server.close());
  await pipeline.start();
  await server.listen();
  return { pipeline, logs };
}

/** The alerts the webhook target got, as `state:key`, each checked against its signature. */
function webhookAlerts(posts: ReceivedPost[]): string[] {
  const signer = createStandardWebhooks(SECRET);
  return posts
    .filter((post) => post.path === "/hook")
    .map((post) => {
      expect(signer.verify(post.body, post.headers)).toEqual({ ok: true });
      const alert = JSON.parse(post.body) as { type: string; state: string; key: string };
      expect(alert.type).toBe("claypipe.alert");
      return `${alert.state}:${alert.key}`;
    });
}

function slackTexts(posts: ReceivedPost[]): string[] {
  return posts
    .filter((post) => post.path.startsWith("/services/"))
    .map((post) => (JSON.parse(post.body) as { text: string }).text);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("alerts end to end on the standard tier", () => {
  it("says a credit cap's 80% and 100% once each, to Slack and to the webhook", async () => {
    const running = await startTierEmulator(cleanup, { enrichment: { notFoundRate: 0 } });
    const alerts = await receiver({ failFirst: 3 });
    const { pipeline, logs } = await standardPipeline(running, alerts, {});
    const leads = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => ({ email: `cap${from + index}@acme.example` }));
    const window = new Date().toISOString().slice(0, 10);
    const key = (share: number) => `credit:workspace:main:day:${window}:data:${share}`;

    // Four leads at 10 data credits each: 40 of 50, 80%.
    await pipeline.submit(leads(0, 4));
    await until("the 80% alert on both targets", () => alerts.received.length === 2);
    expect(webhookAlerts(alerts.received)).toEqual([`raised:${key(0.8)}`]);
    // The webhook refused the first check's three attempts; the next check got it through.
    expect(alerts.refused).toBe(3);
    const [eighty] = slackTexts(alerts.received);
    expect(eighty).toContain("*Credit cap 80% reached: workspace:main, data credits");
    expect(eighty).toContain("has used 40 of its daily cap of 50 data credits");
    expect(eighty).toContain("*What to do:*");

    // The fifth reaches the cap; the sixth waits as deferred.
    await pipeline.submit(leads(4, 2));
    await until("the 100% alert on both targets", () => alerts.received.length === 4);
    await until(
      "the sixth lead deferred",
      async () => (await pipeline.status()).states.deferred === 1,
    );
    await pause(500);
    expect(webhookAlerts(alerts.received)).toEqual([`raised:${key(0.8)}`, `raised:${key(1)}`]);
    expect(slackTexts(alerts.received)[1]).toContain("New leads wait as deferred");
    expect(alerts.received).toHaveLength(4);

    const failed = logs.filter((line) => line.includes("alert not delivered"));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain("the webhook answered 503");
    expect(logs.join("")).not.toContain(alerts.slackUrl);
    expect(logs.join("")).not.toContain("slack-token");
  });

  it("says the breaker opened when Clay has an outage, and closed once it answers again, once each", async () => {
    const running = await startTierEmulator(cleanup, { enrichment: { notFoundRate: 0 } });
    const alerts = await receiver();
    const { pipeline } = await standardPipeline(running, alerts, {
      breaker: { minRequests: 2, failureRate: 0.5, window: "10s", openFor: "300ms" },
      // One try per send, so each failed send counts at once.
      sender: { maxAttempts: 1, initialBackoff: "20ms", maxBackoff: "100ms" },
    });
    running.control.setFaults({ outage: { durationMs: 1500 } });
    await pipeline.submit([{ email: "down1@acme.example" }, { email: "down2@acme.example" }]);
    await until("the breaker-open alert", () => webhookAlerts(alerts.received).length >= 1);
    expect(slackTexts(alerts.received)[0]).toContain("*Circuit breaker open: workspace main*");
    // It goes half-open and open again while the outage lasts: still one open condition.
    await until("the breaker-closed alert", () => webhookAlerts(alerts.received).length >= 2);
    expect((await pipeline.status()).breakers).toEqual([{ workspace: "main", state: "closed" }]);
    await pause(500);
    expect(webhookAlerts(alerts.received)).toEqual(["raised:breaker:main", "cleared:breaker:main"]);
    expect(slackTexts(alerts.received)).toEqual([
      expect.stringContaining("Circuit breaker open"),
      ":white_check_mark: *Circuit breaker closed: workspace main answers again and sending resumed.*",
    ]);
  });

  it("says callbacks stopped when Clay's callbacks are lost, and that they arrive again", async () => {
    const running = await startTierEmulator(cleanup, { enrichment: { notFoundRate: 0 } });
    const alerts = await receiver();
    running.control.setFaults({ callbackLostRate: 1 });
    const { pipeline: silent } = await standardPipeline(running, alerts, {
      alerts: {
        targets: [{ type: "webhook", url: alerts.webhookUrl, secret: SECRET }],
        checkEvery: "50ms",
        callbackSilence: "300ms",
      },
    });
    await silent.submit([{ email: "lost1@acme.example" }, { email: "lost2@acme.example" }]);
    await until("the callbacks-stopped alert", () => webhookAlerts(alerts.received).length >= 1);
    expect(webhookAlerts(alerts.received)).toEqual(["raised:callbacks"]);

    running.control.clearFaults();
    await silent.submit({ email: "back@acme.example" });
    await until("the callbacks-back alert", () => webhookAlerts(alerts.received).length >= 2);
    // The two lost leads still await theirs: after another silence it would be said again.
    expect(webhookAlerts(alerts.received).slice(0, 2)).toEqual([
      "raised:callbacks",
      "cleared:callbacks",
    ]);
  });
});
