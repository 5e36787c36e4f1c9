/**
 * The Leads view and a lead's page over real HTTP on the standard tier: each
 * search path, paging by cursor, inputs it cannot search for, a lead whose
 * fields are markup, and a read-only key viewing them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, type Harness, lead, startHarness } from "../server/server-harness.js";
import { login, type UiClient } from "./ui-client.js";

const READ_KEY = "read-only-key-0123456789";
const SCRIPT = "<script>alert(1)</script>";
const IMG = "<img src=x onerror=alert(1)>";

let harness: Harness;
let ui: UiClient;
let ids: string[];
let hostile: string;
let fromWeb: string;

beforeAll(async () => {
  // A repeat soon after is enriched again, as a new version of the person.
  harness = await startHarness({
    server: { readOnlyKeys: [READ_KEY] },
    config: { dedupe: { window: "1ms" } },
  });
  const api = await harness.request("POST", "/v1/leads", [lead(1), lead(2), lead(3)]);
  const web = await harness.request("POST", "/v1/leads?source=web", [
    lead(4, { first_name: SCRIPT, company: IMG }),
  ]);
  ids = api.body.accepted.map((accepted: { id: string }) => accepted.id);
  hostile = web.body.accepted[0].id;
  fromWeb = hostile;
  for (const id of [...ids, hostile]) await harness.waitForLead(id);
  ui = await login(harness.url, API_KEY);
});
afterAll(() => harness.close());

/** The lead ids a results page lists, in order. */
function listed(text: string): string[] {
  return [...text.matchAll(/<tr data-test="lead-row"><td><a href="\/ui\/leads\/([^"]+)"/g)].map(
    (found) => found[1]!,
  );
}

function nextLink(text: string): string | undefined {
  const found = /<a href="([^"]+)" rel="next"/.exec(text);
  return found?.[1]?.replaceAll("&amp;", "&");
}

describe("the Leads view", () => {
  it("finds a lead by its email, written any case, and by its id", async () => {
    const byEmail = await ui.get(`/ui/leads?q=${encodeURIComponent(" LEAD2@Example.COM ")}`);
    expect(byEmail.status).toBe(200);
    expect(listed(byEmail.text)).toEqual([ids[1]]);
    expect(byEmail.text).toContain("lead2@example.com");
    const byId = await ui.get(`/ui/leads?q=${ids[2]}`);
    expect(listed(byId.text)).toEqual([ids[2]]);
    expect(listed((await ui.get("/ui/leads?q=nobody%40example.com")).text)).toEqual([]);
  });

  it("filters by state, source and creation time, as the overview's tiles link to it", async () => {
    const delivered = await ui.get("/ui/leads?state=delivered");
    expect(listed(delivered.text).sort()).toEqual([...ids, hostile].sort());
    expect(listed((await ui.get("/ui/leads?state=dead")).text)).toEqual([]);
    expect(listed((await ui.get("/ui/leads?source=web")).text)).toEqual([fromWeb]);
    expect(listed((await ui.get("/ui/leads?from=2000-01-01&to=2000-01-02")).text)).toEqual([]);
    expect(listed((await ui.get("/ui/leads?from=2000-01-01T00:00")).text)).toHaveLength(4);
  });

  it("matches part of a field of the lead or of its result", async () => {
    const first = await ui.get("/ui/leads?field=first_name&contains=FIRST1");
    expect(listed(first.text)).toEqual([ids[0]]);
    const onResult = await ui.get("/ui/leads?field=email&in=result&contains=lead3");
    expect(listed(onResult.text)).toEqual([ids[2]]);
    const markup = await ui.get(`/ui/leads?field=company&contains=${encodeURIComponent("<img")}`);
    expect(listed(markup.text)).toEqual([hostile]);
  });

  it("pages by cursor, carrying the filters to the next page", async () => {
    const seen: string[] = [];
    let path: string | undefined = "/ui/leads?state=delivered&limit=3";
    let pages = 0;
    while (path) {
      const answer = await ui.get(path);
      expect(answer.status).toBe(200);
      seen.push(...listed(answer.text));
      path = nextLink(answer.text);
      if (path) expect(path).toContain("state=delivered");
      pages += 1;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(listed((await ui.get("/ui/leads?state=delivered")).text));
    expect(new Set(seen).size).toBe(4);
  });

  it("answers inputs it cannot search for with what to change, not a failure", async () => {
    const cases: Array<[string, string]> = [
      ["/ui/leads?state=bogus", "is not a lead state"],
      ["/ui/leads?from=yesterday", "is not a date"],
      ["/ui/leads?from=2026-02-31", "is not a date"],
      ["/ui/leads?from=2026-01-02&to=2026-01-01", "From is not before To"],
      [`/ui/leads?field=company&contains=${"x".repeat(201)}`, "at most 200"],
      ["/ui/leads?field=company", "needs both a field and the text"],
      [`/ui/leads?q=${"a".repeat(400)}`, "at most 320"],
      ["/ui/leads?cursor=not-a-cursor", "not one this store handed out"],
      ["/ui/leads?limit=0", "ask for 1 to 500"],
    ];
    for (const [path, message] of cases) {
      const answer = await ui.get(path);
      expect(answer.status, path).toBe(400);
      expect(answer.text, path).toContain(message);
      expect(answer.text, path).toContain('data-test="search-error"');
    }
  });
});

describe("a lead's page", () => {
  it("shows the fields, the timeline with the send, callback and delivery, and the result", async () => {
    const answer = await ui.get(`/ui/leads/${ids[0]}`);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("lead1@example.com");
    const timeline = answer.text.slice(answer.text.indexOf('data-test="timeline"'));
    const order = [
      "received",
      "queued",
      "sending",
      "awaiting callback",
      "enriched",
      "delivery to out",
    ];
    const at = order.map((step) => timeline.indexOf(step));
    expect(at.every((index) => index >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(timeline).toMatch(/webhook #\d+, send 1/);
    expect(timeline).toContain("delivered, 1 attempt");
    expect(answer.text).toContain('data-test="results"');
  });

  it("renders markup in a lead's fields as text", async () => {
    const answer = await ui.get(`/ui/leads/${hostile}`);
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain(SCRIPT);
    expect(answer.text).not.toContain(IMG);
    expect(answer.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(answer.text).toContain("&lt;img src=x onerror=alert(1)&gt;");
    const list = await ui.get(
      `/ui/leads?field=first_name&contains=${encodeURIComponent("<script")}`,
    );
    expect(list.text).not.toContain(SCRIPT);
  });

  it("shows what changed since the person's previous version, with a link to it", async () => {
    const again = await harness.request("POST", "/v1/leads", [lead(1)]);
    const id = again.body.accepted[0].id;
    await harness.waitForLead(id);
    const answer = await ui.get(`/ui/leads/${id}`);
    expect(answer.text).toContain("Since the previous version");
    expect(answer.text).toContain(`Previous version: <a href="/ui/leads/${ids[0]}">`);
    expect(answer.text).toMatch(/data-test="(changes|no-changes)"/);
    // The search by email finds both versions.
    expect(listed((await ui.get("/ui/leads?q=lead1%40example.com")).text)).toEqual([ids[0], id]);
  });

  it("answers 404 with a page for an id no lead has", async () => {
    const answer = await ui.get("/ui/leads/no-such-lead");
    expect(answer.status).toBe(404);
    expect(answer.text).toContain("No lead has the id <code>no-such-lead</code>");
    const markup = await ui.get(`/ui/leads/${encodeURIComponent(SCRIPT)}`);
    expect(markup.status).toBe(404);
    expect(markup.text).not.toContain(SCRIPT);
  });
});

describe("a read-only key", () => {
  it("views the search and a lead's page", async () => {
    const reader = await login(harness.url, READ_KEY);
    const search = await reader.get("/ui/leads?state=delivered");
    expect(search.status).toBe(200);
    expect(listed(search.text)).toContain(ids[0]);
    expect((await reader.get(`/ui/leads/${ids[0]}`)).status).toBe(200);
  });
});
