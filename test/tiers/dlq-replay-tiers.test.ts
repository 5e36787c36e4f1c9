/**
 * The dashboard's DLQ replay on the standard, queue and event (NATS) tiers:
 * leads Clay refuses (the emulator answers 400) die as rejected_by_clay; a
 * replay of a filter posted from the DLQ view, as a person's browser would,
 * sends them to Clay again and they come back enriched, while the leads
 * outside the filter stay dead; the same replay again moves none.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Pipeline } from "../../src/index.js";
import { makeTempDir } from "../temp-dirs.js";
import { login } from "../ui/ui-client.js";
import {
  startService,
  startTierEmulator,
  TABLE_ID,
  tierSettings,
  until,
  useCleanup,
} from "./tier-kit.js";

const cleanup = useCleanup();
const ADMIN_KEY = "dashboard-admin-key-0123456789";

const stateOf = async (pipeline: Pipeline, id: string) => (await pipeline.getLead(id))?.lead.state;

describe.each(["standard", "queue", "event"] as const)("the %s tier", (tier) => {
  it("replays the dead leads a DLQ filter matches, posted from the dashboard, and they are enriched", async () => {
    const running = await startTierEmulator(cleanup);
    const { pipeline, url } = await startService(cleanup, {
      ...tierSettings(cleanup, tier, `dlq_replay_${tier}`),
      clay: {
        workspaces: [
          {
            name: "main",
            rateLimit: { perSecond: 100, burst: 50 },
            tables: [
              { name: "leads", id: TABLE_ID, webhooks: [{ url: running.webhookUrl(TABLE_ID) }] },
            ],
          },
        ],
      },
      sources: [{ name: "api" }, { name: "web" }],
      sinks: [{ type: "file", name: "out", path: join(makeTempDir("dlq-replay"), "out.jsonl") }],
      routes: { default: ["out"] },
      server: { apiKeys: [ADMIN_KEY] },
      logLevel: "silent",
    });

    running.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 400 });
    const api = await pipeline.submit(
      [1, 2, 3].map((n) => ({ email: `p${n}@${tier}.example` })),
      { source: "api" },
    );
    const web = await pipeline.submit({ email: `w@${tier}.example` }, { source: "web" });
    const apiIds = api.accepted.map((entry) => entry.id);
    const webId = web.accepted[0]!.id;
    for (const id of [...apiIds, webId])
      await until(`${id} dead`, async () => (await stateOf(pipeline, id)) === "dead");
    running.control.clearFaults();

    const ui = await login(url, ADMIN_KEY);
    const listed = await ui.get("/ui/dlq?source=api");
    for (const id of apiIds) expect(listed.text).toContain(`data-id="${id}"`);
    const replay = { scope: "filter", source: "api", reason: "rejected_by_clay" };
    const answer = await ui.post("/ui/dlq/replay", replay);
    expect(answer.status).toBe(303);
    expect(new URL(answer.headers.get("location")!, url).searchParams.get("n")).toBe("3");

    for (const id of apiIds) {
      await until(`${id} delivered`, async () => (await stateOf(pipeline, id)) === "delivered");
      expect((await pipeline.getLead(id))?.lead.result).toMatchObject({
        email: expect.any(String),
      });
    }
    expect(await stateOf(pipeline, webId)).toBe("dead");
    const again = await ui.post("/ui/dlq/replay", replay);
    expect(new URL(again.headers.get("location")!, url).searchParams.get("n")).toBe("0");
  });
});
