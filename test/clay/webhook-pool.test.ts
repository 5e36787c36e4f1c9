import { describe, expect, it } from "vitest";
import {
  createWebhookPool,
  tableCounterKey,
  webhookCounterKey,
} from "../../src/clay/webhook-pool.js";
import { configSchema, type TableConfig } from "../../src/config/schema.js";
import { MemoryCapacityCounters } from "../../src/store/memory/memory-capacity-counters.js";
import { captureLogs, ERROR, WARN } from "./log-capture.js";

const URLS = [
  "https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-aaaa",
  "https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-bbbb",
];

function table(overrides: {
  rowLimit?: number;
  capacityMargin?: number;
  submissionLimit?: number;
}): TableConfig {
  const config = configSchema.parse({
    clay: {
      workspaces: [
        {
          name: "acme",
          tables: [
            {
              name: "leads",
              rowLimit: overrides.rowLimit,
              capacityMargin: overrides.capacityMargin,
              webhooks: URLS.map((url) => ({ url, submissionLimit: overrides.submissionLimit })),
            },
          ],
        },
      ],
    },
  });
  return config.clay.workspaces[0]!.tables[0]!;
}

async function reserveMany(pool: ReturnType<typeof createWebhookPool>, count: number) {
  const results = [];
  for (let i = 0; i < count; i++) results.push(await pool.reserve());
  return results;
}

describe("webhook pool", () => {
  it("uses each webhook up to its limit less the margin, then the next, then says none is left", async () => {
    const { logger, lines } = captureLogs();
    const counters = new MemoryCapacityCounters();
    const pool = createWebhookPool({
      workspace: "acme",
      table: table({ submissionLimit: 5, capacityMargin: 2 }),
      counters,
      logger,
    });
    const results = await reserveMany(pool, 8);
    expect(results.map((result) => (result.ok ? result.index : result.reason))).toEqual([
      0,
      0,
      0,
      1,
      1,
      1,
      "webhooks_exhausted",
      "webhooks_exhausted",
    ]);
    const refused = results[6]!;
    expect(!refused.ok && refused.message).toMatch(
      /table "leads" of workspace "acme".*add a new webhook source/,
    );
    expect(await counters.get(webhookCounterKey(URLS[0]!))).toBe(3);
    expect(await counters.get(tableCounterKey("acme", "leads"))).toBe(6);

    const warnings = lines.filter((line) => line.level === WARN);
    expect(warnings.map((line) => line.msg)).toEqual([
      'webhook #0 of table "leads" of workspace "acme" retired after 3 submissions, ' +
        "2 before Clay's cap of 5 (capacityMargin); webhook #1 takes over",
      'webhook #1 of table "leads" of workspace "acme" retired after 3 submissions, ' +
        "2 before Clay's cap of 5 (capacityMargin); no webhook is left",
    ]);
    expect(lines.filter((line) => line.level === ERROR)).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain("pull-in-data");
  });

  it("stops the table at its row limit less the margin, before the webhooks run out", async () => {
    const { logger, lines } = captureLogs();
    const pool = createWebhookPool({
      workspace: "acme",
      table: table({ rowLimit: 4, capacityMargin: 1, submissionLimit: 100 }),
      counters: new MemoryCapacityCounters(),
      logger,
    });
    const results = await reserveMany(pool, 5);
    expect(results.filter((result) => result.ok)).toHaveLength(3);
    const refused = results[3]!;
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toBe("table_full");
    expect(!refused.ok && refused.message).toMatch(
      /table "leads".*holds 3 rows.*limit of 4.*new table/,
    );
    expect(lines.filter((line) => line.level === ERROR)).toHaveLength(1);
  });

  it("says a webhook with no margin retired at Clay's cap", async () => {
    const { logger, lines } = captureLogs();
    const pool = createWebhookPool({
      workspace: "acme",
      table: table({ submissionLimit: 2, capacityMargin: 0 }),
      counters: new MemoryCapacityCounters(),
      logger,
    });
    await reserveMany(pool, 3);
    expect(lines.filter((line) => line.level === WARN).map((line) => line.msg)).toEqual([
      'webhook #0 of table "leads" of workspace "acme" retired after 2 submissions, ' +
        "at Clay's cap of 2; webhook #1 takes over",
    ]);
  });

  it("skips webhooks that earlier runs used up", async () => {
    const counters = new MemoryCapacityCounters({ [webhookCounterKey(URLS[0]!)]: 49_900 });
    const pool = createWebhookPool({ workspace: "acme", table: table({}), counters });
    expect(await pool.reserve()).toMatchObject({ ok: true, index: 1, webhook: { url: URLS[1] } });
  });

  it("reports what is left per webhook and for the table", async () => {
    const counters = new MemoryCapacityCounters();
    const pool = createWebhookPool({
      workspace: "acme",
      table: table({ rowLimit: 20, submissionLimit: 5, capacityMargin: 1 }),
      counters,
    });
    await reserveMany(pool, 5);
    const capacity = await pool.capacity();
    expect(capacity.table).toEqual({ used: 5, limit: 19, remaining: 14 });
    expect(capacity.webhooks).toEqual([
      {
        index: 0,
        key: webhookCounterKey(URLS[0]!),
        used: 4,
        limit: 4,
        remaining: 0,
        retired: true,
        unusable: false,
      },
      {
        index: 1,
        key: webhookCounterKey(URLS[1]!),
        used: 1,
        limit: 4,
        remaining: 3,
        retired: false,
        unusable: false,
      },
    ]);
  });

  it("takes a webhook Clay refuses as configured out of the pool, saying so once", async () => {
    const { logger, lines } = captureLogs();
    const pool = createWebhookPool({
      workspace: "acme",
      table: table({ capacityMargin: 0 }),
      counters: new MemoryCapacityCounters(),
      logger,
    });
    pool.disable(0, "url", "no webhook source at that URL (404)");
    pool.disable(0, "url", "no webhook source at that URL (404)");
    expect(await pool.reserve()).toMatchObject({ ok: true, index: 1 });
    const capacity = await pool.capacity();
    expect(capacity.webhooks[0]).toMatchObject({ used: 0, remaining: 0, unusable: true });
    const errors = lines.filter((line) => line.level === ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toContain("clay.workspaces[].tables[].webhooks[0].url");

    pool.disable(1, "authToken", "Clay refused the webhook auth token (401)");
    const none = await pool.reserve();
    expect(none).toMatchObject({ ok: false, reason: "webhooks_unusable" });
    expect(!none.ok && none.message).toMatch(/no usable webhook source .*#0, #1/);
  });

  it("keys webhooks by a hash, never by the URL", () => {
    const key = webhookCounterKey(URLS[0]!);
    expect(key).toMatch(/^webhook:[0-9a-f]{32}$/);
    expect(key).not.toBe(webhookCounterKey(URLS[1]!));
  });
});
