/**
 * The Waiting view over real HTTP on the standard tier. The pipeline's loops
 * are not started: they would resume deferred leads and sweep overdue ones
 * before the page is read. So leads are submitted through the pipeline and
 * put where they wait through a second connection to its SQLite store, the
 * way the sender and the budget would: deferred by a credit cap or for
 * capacity, and sent with a callback deadline already past.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqliteStore } from "../../src/store/sqlite/index.js";
import type { Store } from "../../src/store/store.js";
import { API_KEY, type Harness, lead, startHarness } from "../server/server-harness.js";
import { login, type UiClient } from "./ui-client.js";

const READ_KEY = "read-only-key-0123456789";
const HOUR = 3_600_000;
let harness: Harness;
let store: Store;
let admin: UiClient;
let reader: UiClient;
let capped: string[];
let noCapacity: string;
let overdue: string[];
let notYetDue: string;

beforeAll(async () => {
  harness = await startHarness({ start: false, server: { readOnlyKeys: [READ_KEY] } });
  store = await createSqliteStore({ path: join(harness.dir, "claypipe.db") });
  const submitted = await harness.pipeline.submit([
    lead(1, { first_name: "<script>alert(1)</script>" }),
    ...[2, 3, 4, 5, 6].map((n) => lead(n)),
  ]);
  const ids = submitted.accepted.map((entry) => entry.id);
  const now = Date.now();
  const tomorrow = Date.UTC(2099, 0, 2);
  capped = [ids[0]!, ids[1]!];
  for (const id of capped) {
    await move(id, "queued", "deferred", {
      availableAt: tomorrow,
      reason: "credit cap workspace:ws daily cap reached (actions 10/10)",
    });
  }
  noCapacity = ids[2]!;
  await move(noCapacity, "queued", "deferred", {
    availableAt: now + 5000,
    reason: "no capacity: every webhook of table ws/leads is at its cap",
  });
  overdue = [ids[3]!, ids[4]!];
  notYetDue = ids[5]!;
  for (const id of [...overdue, notYetDue]) {
    await move(id, "queued", "sending", {});
    const deadline = id === notYetDue ? now + HOUR : now - 2 * 60_000;
    await move(id, "sending", "awaiting_callback", { attempt: 1, callbackDeadline: deadline });
  }
  admin = await login(harness.url, API_KEY);
  reader = await login(harness.url, READ_KEY);
});
afterAll(async () => {
  await store.close();
  await harness.close();
});

async function move(
  id: string,
  from: Parameters<Store["leads"]["transition"]>[1],
  to: Parameters<Store["leads"]["transition"]>[2],
  patch: Parameters<Store["leads"]["transition"]>[3],
) {
  expect(await store.leads.transition(id, from, to, patch)).toBe(true);
}

const rows = (text: string, test: string) =>
  [...text.matchAll(new RegExp(`data-test="${test}" data-id="([^"]+)"`, "g"))].map((m) => m[1]!);
const stateOf = async (id: string) => (await harness.pipeline.getLead(id))?.lead.state;
const flash = (location: string | null) =>
  Object.fromEntries(new URL(location ?? "", harness.url).searchParams);

describe("deferred leads", () => {
  it("groups them by why, with when they resume, and lists them", async () => {
    const page = await admin.get("/ui/waiting");
    expect(page.status).toBe(200);
    expect(page.text).toMatch(
      /data-kind="credit_cap"><td>a credit cap is reached<\/td><td class="num">2<\/td><td>at 2099-01-02 00:00:00 UTC/,
    );
    expect(page.text).toMatch(
      /data-kind="no_capacity">.*<td class="num">1<\/td><td>when the table has/,
    );
    expect(rows(page.text, "deferred-row").sort()).toEqual([...capped, noCapacity].sort());
    expect(page.text).toContain("every webhook of table ws/leads is at its cap");
    expect(page.text).toContain(`href="/ui/leads/${noCapacity}"`);
    const caps = await admin.get("/ui/waiting?reason=credit_cap");
    expect(rows(caps.text, "deferred-row").sort()).toEqual([...capped].sort());
  });

  it("renders a lead's fields as text", async () => {
    const page = await admin.get("/ui/waiting");
    expect(page.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.text).not.toContain("<script>alert(1)");
  });
});

describe("callbacks past their deadline", () => {
  it("lists the overdue ones with how long overdue and what the sweep will do", async () => {
    const page = await admin.get("/ui/waiting");
    expect(rows(page.text, "overdue-row").sort()).toEqual([...overdue].sort());
    expect(page.text).toMatch(
      /<td>2 min( \d+ s)?<\/td><td>move it to the DLQ \(no_callback\)<\/td>/,
    );
    expect(page.text).toContain("callbacks.retryOnce is off");
  });
});

describe("actions", () => {
  it("refuses a requeue without the CSRF token or from a read-only key, and nothing moves", async () => {
    expect((await admin.post("/ui/waiting/requeue", {}, false)).status).toBe(403);
    expect((await reader.post("/ui/waiting/requeue", {})).status).toBe(403);
    expect((await reader.post("/ui/waiting/sweep", {})).status).toBe(403);
    expect(await stateOf(noCapacity)).toBe("deferred");
    expect(await stateOf(overdue[0]!)).toBe("awaiting_callback");
    expect((await reader.get("/ui/waiting")).text).not.toContain('data-test="sweep"');
  });

  it("requeues the leads of one kind of wait, then every deferred one", async () => {
    const one = await admin.post("/ui/waiting/requeue", { reason: "no_capacity" });
    expect(one.status).toBe(303);
    expect(flash(one.headers.get("location"))).toMatchObject({ done: "requeued", n: "1" });
    expect(await stateOf(noCapacity)).toBe("queued");
    expect(await stateOf(capped[0]!)).toBe("deferred");
    const all = await admin.post("/ui/waiting/requeue", {});
    expect(flash(all.headers.get("location"))).toMatchObject({ n: "2" });
    for (const id of capped) expect(await stateOf(id)).toBe("queued");
    const shown = await admin.get(all.headers.get("location")!);
    expect(shown.text).toContain("Requeued 2 leads");
    expect(shown.text).toContain('data-test="no-deferred"');
  });

  it("runs the deadline sweep now: the overdue leads move as on their deadline, once", async () => {
    const answer = await admin.post("/ui/waiting/sweep", {});
    expect(flash(answer.headers.get("location"))).toMatchObject({ done: "swept", n: "2" });
    for (const id of overdue) {
      const view = await harness.pipeline.getLead(id);
      expect(view?.lead).toMatchObject({ state: "dead", reason: "no_callback" });
    }
    expect(await stateOf(notYetDue)).toBe("awaiting_callback");
    const again = await admin.post("/ui/waiting/sweep", {});
    expect(flash(again.headers.get("location"))).toMatchObject({ n: "0" });
    expect((await admin.get("/ui/waiting")).text).toContain('data-test="no-overdue"');
  });
});
