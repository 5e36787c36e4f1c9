/**
 * The DLQ view over real HTTP on the standard tier: leads Clay refuses (the
 * emulator answers 400) die as rejected_by_clay, and a webhook sink whose
 * receiver fails leaves dead deliveries. They are filtered, paged, replayed
 * one, a selection or a filter at a time (a second replay moves nothing),
 * purged only after a counted confirmation, and never moved by a post without
 * the CSRF token or from a read-only key.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, type Harness, lead, startHarness } from "../server/server-harness.js";
import { type Receiver, startReceiver } from "../sinks/webhook/webhook-sink-receiver.js";
import { makeTempDir, removeTempDirs } from "../temp-dirs.js";
import { login, type UiClient } from "./ui-client.js";

const READ_KEY = "read-only-key-0123456789";
let harness: Harness;
let receiver: Receiver;
let receiverFails = true;
let admin: UiClient;
let reader: UiClient;
/** Dead as rejected_by_clay: six from the api source (the first named `<script>`), two from web. */
let apiDead: string[];
let webDead: string[];
/** Delivered to the file sink, dead at the webhook sink. */
let hookDead: string[];

beforeAll(async () => {
  receiver = await startReceiver(() => ({ status: receiverFails ? 500 : 200 }));
  harness = await startHarness({
    server: { readOnlyKeys: [READ_KEY] },
    config: {
      routes: { default: ["out", "hook"] },
      sinks: [
        { name: "out", type: "file", path: join(makeTempDir("dlq-view"), "delivered.jsonl") },
        {
          name: "hook",
          type: "webhook",
          url: receiver.url,
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          maxAttempts: 1,
        },
      ],
    },
  });
  harness.emulator.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 400 });
  const api = await harness.pipeline.submit(
    [lead(1, { first_name: "<script>alert(1)</script>" }), ...[2, 3, 4, 5, 6].map((n) => lead(n))],
    { source: "api" },
  );
  const web = await harness.pipeline.submit([lead(7), lead(8)], { source: "web" });
  apiDead = api.accepted.map((entry) => entry.id);
  webDead = web.accepted.map((entry) => entry.id);
  for (const id of [...apiDead, ...webDead])
    expect((await harness.waitForLead(id)).lead.state).toBe("dead");
  harness.emulator.control.clearFaults();
  const hooked = await harness.pipeline.submit([lead(20), lead(21), lead(22)], { source: "api" });
  hookDead = hooked.accepted.map((entry) => entry.id);
  for (const id of hookDead) expect((await harness.waitForLead(id)).lead.state).toBe("delivered");
  admin = await login(harness.url, API_KEY);
  reader = await login(harness.url, READ_KEY);
});
afterAll(async () => {
  await harness.close();
  await receiver.close();
  removeTempDirs();
});

const rowIds = (text: string) =>
  [...text.matchAll(/data-test="dlq-row" data-id="([^"]+)"/g)].map((match) => match[1]!);
const stateOf = async (id: string) => (await harness.pipeline.getLead(id))?.lead.state;
const flash = (location: string | null) => new URL(location ?? "", harness.url).searchParams;

describe("listing", () => {
  it("lists dead leads with links to their pages, filtered by source and reason", async () => {
    const all = await admin.get("/ui/dlq");
    expect(all.status).toBe(200);
    expect(rowIds(all.text).sort()).toEqual([...apiDead, ...webDead].sort());
    expect(all.text).toContain(`href="/ui/leads/${webDead[0]}"`);
    expect(all.text).toContain("rejected_by_clay");
    const web = await admin.get("/ui/dlq?source=web&reason=rejected_by_clay");
    expect(rowIds(web.text).sort()).toEqual([...webDead].sort());
    const none = await admin.get("/ui/dlq?reason=no_callback");
    expect(rowIds(none.text)).toEqual([]);
    expect(none.text).toContain('data-test="dlq-empty"');
  });

  it("filters on when they died, and says when a time does not read", async () => {
    const future = await admin.get("/ui/dlq?diedFrom=2999-01-01T00:00");
    expect(rowIds(future.text)).toEqual([]);
    const past = await admin.get("/ui/dlq?diedTo=2999-01-01T00:00&source=web");
    expect(rowIds(past.text)).toHaveLength(2);
    const bad = await admin.get("/ui/dlq?diedFrom=yesterday");
    expect(bad.text).toContain('data-test="filter-issue"');
    expect(bad.text).toContain("is not a time");
  });

  it("pages by cursor, every dead lead once", async () => {
    const seen: string[] = [];
    let path = "/ui/dlq?limit=3";
    for (;;) {
      const page = await admin.get(path);
      const ids = rowIds(page.text);
      expect(ids.length).toBeLessThanOrEqual(3);
      seen.push(...ids);
      const next = /href="([^"]+)" data-test="next-page"/.exec(page.text);
      if (!next) break;
      path = next[1]!.replaceAll("&amp;", "&");
    }
    expect(seen.sort()).toEqual([...apiDead, ...webDead].sort());
    const badCursor = await admin.get("/ui/dlq?cursor=nonsense");
    expect(badCursor.status).toBe(200);
    expect(badCursor.text).toContain("not one this store handed out");
  });

  it("renders a lead's fields as text", async () => {
    const page = await admin.get("/ui/dlq?source=api");
    expect(page.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.text).not.toContain("<script>alert(1)");
  });

  it("lists dead sink deliveries, by sink and by words of their error", async () => {
    const page = await admin.get("/ui/dlq?kind=deliveries");
    expect(rowIds(page.text).sort()).toEqual([...hookDead].sort());
    expect(page.text).toContain("the receiver failed (500)");
    expect(rowIds((await admin.get("/ui/dlq?kind=deliveries&sink=out")).text)).toEqual([]);
    expect(rowIds((await admin.get("/ui/dlq?kind=deliveries&reason=nothing+like")).text)).toEqual(
      [],
    );
    expect(rowIds((await admin.get("/ui/dlq?kind=deliveries&reason=500")).text)).toHaveLength(3);
  });
});

describe("who may act", () => {
  it("refuses a replay without the CSRF token, and nothing moves", async () => {
    const answer = await admin.post("/ui/dlq/replay", { scope: "filter" }, false);
    expect(answer.status).toBe(403);
    expect(await stateOf(apiDead[1]!)).toBe("dead");
  });

  it("refuses a read-only key's replay and purge, and nothing changes", async () => {
    const page = await reader.get("/ui/dlq");
    expect(page.text).not.toContain('data-test="replay-filter"');
    const replay = await reader.post("/ui/dlq/replay", { scope: "filter" });
    expect(replay.status).toBe(403);
    const purge = await reader.post("/ui/dlq/purge", { confirm: "yes", asOf: String(Date.now()) });
    expect(purge.status).toBe(403);
    expect(await stateOf(apiDead[1]!)).toBe("dead");
    expect(rowIds((await admin.get("/ui/dlq")).text)).toHaveLength(8);
  });

  it("refuses to replay or purge a filter with a value that did not read, and nothing changes", async () => {
    const replay = await admin.post("/ui/dlq/replay", { scope: "filter", diedFrom: "notadate" });
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('data-test="replay-refused"');
    expect(replay.text).toContain("is not a time");
    const confirm = await admin.get("/ui/dlq/purge?diedFrom=notadate");
    expect(confirm.text).toContain("is not a time");
    expect(confirm.text).not.toContain('data-test="purge-confirm"');
    const purge = await admin.post("/ui/dlq/purge", {
      diedFrom: "notadate",
      confirm: "yes",
      asOf: String(Date.now()),
    });
    expect(purge.status).toBe(303);
    expect(purge.headers.get("location")).toBe("/ui/dlq/purge?diedFrom=notadate");
    expect(rowIds((await admin.get("/ui/dlq")).text)).toHaveLength(8);
  });
});

describe("replay", () => {
  it("replays one lead, and the same replay again moves nothing", async () => {
    // From here the webhook receiver answers: replayed leads are delivered to both sinks.
    receiverFails = false;
    const one = { scope: "one", ids: apiDead[1]! };
    const answer = await admin.post("/ui/dlq/replay", one);
    expect(answer.status).toBe(303);
    expect(Object.fromEntries(flash(answer.headers.get("location")))).toMatchObject({
      done: "replayed",
      n: "1",
    });
    expect((await harness.waitForLead(apiDead[1]!)).lead.state).toBe("delivered");
    const again = await admin.post("/ui/dlq/replay", one);
    expect(flash(again.headers.get("location")).get("n")).toBe("0");
    const shown = await admin.get(again.headers.get("location")!);
    expect(shown.text).toContain("Replayed 0 dead leads");
  });

  it("replays the ticked leads and only those", async () => {
    const picked = [apiDead[2]!, apiDead[3]!];
    const answer = await admin.post("/ui/dlq/replay", { scope: "selected", ids: picked });
    expect(flash(answer.headers.get("location")).get("n")).toBe("2");
    for (const id of picked) expect((await harness.waitForLead(id)).lead.state).toBe("delivered");
    expect(await stateOf(apiDead[4]!)).toBe("dead");
    const none = await admin.post("/ui/dlq/replay", { scope: "selected" });
    expect(flash(none.headers.get("location")).get("done")).toBe("none_chosen");
  });

  it("replays everything the filter matches, keeping the filter, and only that", async () => {
    const answer = await admin.post("/ui/dlq/replay", { scope: "filter", source: "web" });
    const location = answer.headers.get("location")!;
    expect(location).toContain("source=web");
    expect(flash(location).get("n")).toBe("2");
    for (const id of webDead) expect((await harness.waitForLead(id)).lead.state).toBe("delivered");
    expect(await stateOf(apiDead[4]!)).toBe("dead");
    const again = await admin.post("/ui/dlq/replay", { scope: "filter", source: "web" });
    expect(flash(again.headers.get("location")).get("n")).toBe("0");
  });

  it("replays a ticked dead delivery, then the sink's rest by filter, each once", async () => {
    const first = await admin.post("/ui/dlq/replay", {
      kind: "deliveries",
      scope: "selected",
      ids: [`hook/${hookDead[0]}`],
    });
    expect(Object.fromEntries(flash(first.headers.get("location")))).toMatchObject({
      done: "replayed_deliveries",
      n: "1",
    });
    const delivered = (view: { deliveries: Array<{ sink: string; state: string }> }) =>
      view.deliveries.some((d) => d.sink === "hook" && d.state === "delivered");
    await harness.waitForLead(hookDead[0]!, delivered);
    const rest = await admin.post("/ui/dlq/replay", {
      kind: "deliveries",
      scope: "filter",
      sink: "hook",
    });
    expect(flash(rest.headers.get("location")).get("n")).toBe("2");
    const again = await admin.post("/ui/dlq/replay", {
      kind: "deliveries",
      scope: "filter",
      sink: "hook",
    });
    expect(flash(again.headers.get("location")).get("n")).toBe("0");
    for (const id of hookDead) await harness.waitForLead(id, delivered);
  });

  it("refuses a delivery of a sink the config does not have, on a page", async () => {
    const answer = await admin.post("/ui/dlq/replay", {
      kind: "deliveries",
      scope: "selected",
      ids: [`crm/${hookDead[0]}`],
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("no sink named &quot;crm&quot; is configured");
  });
});

describe("purge", () => {
  it("does nothing without the confirmation step", async () => {
    const answer = await admin.post("/ui/dlq/purge", { source: "api" });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/ui/dlq/purge?source=api");
    expect(await stateOf(apiDead[0]!)).toBe("dead");
  });

  it("counts first, then purges only the leads dead at the count", async () => {
    const confirm = await admin.get("/ui/dlq/purge?source=api");
    expect(confirm.text).toMatch(/data-test="purge-count">3 dead leads match/);
    const asOf = /name="asOf" value="(\d+)"/.exec(confirm.text)![1]!;
    // One more dies after the count: the confirmed purge keeps it.
    harness.emulator.control.setFaults({ webhookErrorRate: 1, webhookErrorStatus: 400 });
    const late = (await harness.pipeline.submit(lead(30), { source: "api" })).accepted[0]!.id;
    expect((await harness.waitForLead(late)).lead.state).toBe("dead");
    harness.emulator.control.clearFaults();
    const answer = await admin.post("/ui/dlq/purge", { source: "api", confirm: "yes", asOf });
    expect(Object.fromEntries(flash(answer.headers.get("location")))).toMatchObject({
      done: "purged",
      n: "3",
    });
    expect(await stateOf(apiDead[0]!)).toBeUndefined();
    expect(await stateOf(apiDead[4]!)).toBeUndefined();
    expect(await stateOf(apiDead[5]!)).toBeUndefined();
    expect(await stateOf(late)).toBe("dead");
    expect(rowIds((await admin.get("/ui/dlq")).text)).toEqual([late]);
  });
});
