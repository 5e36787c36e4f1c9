import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load-config.js";
import { slackSinkSchema } from "../../../src/config/sink-schema.js";
import type { SinkResult } from "../../../src/sinks/sink.js";
import type { SinkDeps } from "../../../src/sinks/sink-deps.js";
import { createSlackSink } from "../../../src/sinks/slack/slack-sink.js";
import { people, sinkRecord } from "../../stand-ins/sink-records.js";
import {
  type SlackStandIn,
  type SlackStandInOptions,
  startSlackStandIn,
} from "../../stand-ins/slack-stand-in.js";
import { captureLogs } from "../capture-logs.js";
import { sinkContract } from "../sink-contract.js";

const running: SlackStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

interface Setup {
  standIn?: SlackStandInOptions;
  config?: { template?: string; ratePerSecond?: number };
  deps?: SinkDeps;
}

async function setup(options: Setup = {}) {
  const standIn = await startSlackStandIn(options.standIn ?? { ratePerSecond: 50, burst: 50 });
  running.push(standIn);
  const config = slackSinkSchema.parse({
    name: "sales-alerts",
    type: "slack",
    webhookUrl: standIn.webhookUrl,
    template: "Hot lead: {{first_name}} {{last_name}} <mailto:{{email}}|{{email}}>",
    ratePerSecond: 50,
    ...options.config,
  });
  return { standIn, sink: createSlackSink(config, options.deps) };
}

const live = () => AbortSignal.timeout(20_000);
const failures = (results: SinkResult[]) => results.filter((result) => !result.ok);
const reasonOf = (result: SinkResult | undefined) => (result as { reason: string }).reason;
const texts = (standIn: SlackStandIn) => standIn.messages().map((message) => message.text);

sinkContract("Slack sink against the Slack stand-in", {
  keyedOn: "lead",
  async open() {
    const { standIn, sink } = await setup();
    const arrived = async () =>
      texts(standIn).map((text) => /\|([^>]+)>$/.exec(text ?? "")?.[1] ?? "");
    return { sink, arrived };
  },
  async failing(kind) {
    const { standIn, sink } = await setup();
    if (kind === "retryable") standIn.failNext(500, "rollup_error", 2);
    else standIn.archiveChannel();
    return sink;
  },
  async cleanUp() {
    await Promise.all(running.splice(0).map((standIn) => standIn.close()));
  },
});

describe("Slack sink against the Slack stand-in", () => {
  it("posts one Block Kit message per lead, its text from the template", async () => {
    const { standIn, sink } = await setup({
      config: {
        template: "Hot lead: *{{first_name}} {{last_name}}* at {{company}} — ICP {{icp_score}}",
      },
    });
    expect(await sink.deliver(people(1), live())).toEqual([{ ok: true }]);
    const text = "Hot lead: *Ada0 Lovelace0* at Acme — ICP 80";
    expect(standIn.messages()).toEqual([
      { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] },
    ]);
  });

  it("posts hostile field values escaped: no mention, no link, no template injection", async () => {
    const { standIn, sink } = await setup({
      config: { template: "{{first_name}} at {{company}}" },
    });
    const record = sinkRecord({
      email: "eve@evil.example",
      first_name: "<!channel> {{callback_url}}",
      company: "<https://evil.example|Acme login> & co\n> fake quote",
      callback_url: "https://claypipe.example/v1/callbacks/clay/secret-token",
    });
    expect(await sink.deliver([record], live())).toEqual([{ ok: true }]);
    expect(texts(standIn)).toEqual([
      "&lt;!channel&gt; {{callback_url}} at &lt;https://evil.example|Acme login&gt; &amp; co &gt; fake quote",
    ]);
  });

  it("never shows the callback URL: a template naming it gets a dash", async () => {
    const { standIn, sink } = await setup({ config: { template: "{{email}} {{callback_url}}" } });
    const record = sinkRecord({ email: "ada@acme.com", callback_url: "https://x.example/cb/tok" });
    expect(await sink.deliver([record], live())).toEqual([{ ok: true }]);
    expect(texts(standIn)).toEqual(["ada@acme.com -"]);
  });

  it("posts a lead once: a second delivery of the same lead posts nothing", async () => {
    const { standIn, sink } = await setup();
    const [record] = people(1);
    expect(await sink.deliver([record!], live())).toEqual([{ ok: true }]);
    expect(await sink.deliver([record!], live())).toEqual([{ ok: true }]);
    expect(standIn.requests).toBe(1);
  });

  it("paces posts to ratePerSecond: Slack's limit is never hit", async () => {
    const { standIn, sink } = await setup({
      standIn: { ratePerSecond: 5, burst: 2 },
      config: { ratePerSecond: 5 },
    });
    const results = await Promise.all(people(8).map((record) => sink.deliver([record], live())));
    expect(failures(results.flat())).toEqual([]);
    expect(standIn.rateLimited).toBe(0);
    expect(standIn.messages()).toHaveLength(8);
  });

  it("gets 429s from the stand-in when the sink posts faster than the webhook takes", async () => {
    // The control for the test above: the stand-in does enforce the rate.
    const { standIn, sink } = await setup({
      standIn: { ratePerSecond: 5, burst: 2 },
      config: { ratePerSecond: 10 },
    });
    const results = await Promise.all(people(8).map((record) => sink.deliver([record], live())));
    expect(standIn.rateLimited).toBeGreaterThan(0);
    expect(failures(results.flat()).length).toBeGreaterThan(0);
  });

  it("answers a 429 as retryable after Retry-After, and posts nothing until it has passed", async () => {
    const { standIn, sink } = await setup();
    standIn.failNext(429, "rate_limited", 1, { "retry-after": "1" });
    const [limited] = await sink.deliver(people(1), live());
    expect(limited).toMatchObject({ ok: false, retryable: true, retryAfterMs: 1000 });
    expect(reasonOf(limited)).toContain("429 rate_limited");

    const [held] = await sink.deliver(people(1, 1), live());
    expect(held).toMatchObject({ ok: false, retryable: true });
    expect((held as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(1000);
    expect(reasonOf(held)).toContain("not posted");
    expect(standIn.requests).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await sink.deliver(people(1, 1), live())).toEqual([{ ok: true }]);
  });

  it.each([
    [400, "invalid_payload", "check the sink's template"],
    [403, "action_prohibited", "ask a Slack admin"],
    [404, "no_service", "create a new incoming webhook"],
    [404, "channel_not_found", "for another channel"],
    [410, "channel_is_archived", "unarchive it"],
  ])("fails for good on %i %s, saying what to do", async (status, code, hint) => {
    const { standIn, sink } = await setup();
    standIn.failNext(status, code);
    const [result] = await sink.deliver(people(1), live());
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(reasonOf(result)).toContain(`${status} ${code}`);
    expect(reasonOf(result)).toContain(hint);
  });

  it("fails for good on a webhook Slack does not know (a revoked URL)", async () => {
    const standIn = await startSlackStandIn();
    running.push(standIn);
    const revoked = createSlackSink(
      slackSinkSchema.parse({
        name: "s",
        type: "slack",
        webhookUrl: `${standIn.url}/services/T0/B0/revoked`,
      }),
    );
    const [result] = await revoked.deliver(people(1), live());
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(reasonOf(result)).toContain("404 no_service");
    expect(standIn.messages()).toEqual([]);
    await revoked.close();
  });

  it("answers Slack's server errors and an unreachable Slack as retryable", async () => {
    const { standIn, sink } = await setup();
    standIn.failNext(500, "rollup_error");
    const [failed] = await sink.deliver(people(1), live());
    expect(failed).toMatchObject({ ok: false, retryable: true });
    expect(reasonOf(failed)).toContain("500 rollup_error");
    await standIn.close();
    const [unreachable] = await sink.deliver(people(1), live());
    expect(unreachable).toMatchObject({ ok: false, retryable: true });
    expect(reasonOf(unreachable)).toContain("could not reach Slack");
  });

  it("never writes the webhook URL to its logs or reasons", async () => {
    const { logger, lines } = captureLogs();
    const { standIn, sink } = await setup({ deps: { logger } });
    const reasons: string[] = [];
    for (const [status, code] of [
      [404, "no_service"],
      [500, "rollup_error"],
      [429, "rate_limited"],
    ] as const) {
      standIn.failNext(status, code);
      reasons.push(reasonOf((await sink.deliver(people(1), live()))[0]));
    }
    await standIn.close();
    const offline = createSlackSink(
      slackSinkSchema.parse({ name: "s", type: "slack", webhookUrl: standIn.webhookUrl }),
      { logger },
    );
    reasons.push(reasonOf((await offline.deliver(people(1), live()))[0]));
    await offline.close();
    expect(lines.length).toBeGreaterThan(0);
    const secret = new URL(standIn.webhookUrl).pathname.split("/").at(-1)!;
    for (const text of [...lines, ...reasons]) expect(text).not.toContain(secret);
  });

  it("takes the webhook URL from the environment only, and never shows it in a config error", () => {
    const url = "https://hooks.slack.com/services/T000/B000/literalSecret123";
    const config = (webhookUrl: string) => `
clay:
  workspaces:
    - name: main
      tables:
        - name: people
          webhooks:
            - url: https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-1
sinks:
  - name: sales
    type: slack
    webhookUrl: ${webhookUrl}
routes:
  default: [sales]
`;
    const parsed = parseConfig(config(`\${SLACK_WEBHOOK_URL}`), {
      env: { SLACK_WEBHOOK_URL: url },
    });
    expect(parsed.sinks[0]).toMatchObject({ type: "slack", webhookUrl: url, ratePerSecond: 1 });
    let message = "";
    try {
      parseConfig(config(url), { env: {} });
    } catch (error) {
      message = String((error as { describe?: () => string }).describe?.() ?? error);
    }
    expect(message).toContain("sinks[0].webhookUrl");
    expect(message).toContain("secrets must come from the environment");
    expect(message).not.toContain("literalSecret123");
  });
});
