/**
 * The read-only views over real HTTP on the standard tier: the overview's
 * figures and its live stream, credits against caps, table and webhook
 * capacity, the running config with its secrets replaced, and the doctor's
 * report for it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, type Harness, lead, SECRET, startHarness } from "../server/server-harness.js";
import { login, type UiClient } from "./ui-client.js";

let harness: Harness;
let ui: UiClient;

beforeAll(async () => {
  harness = await startHarness({
    workspace: { credits: { daily: { actions: 1000 } } },
    config: { enrichIf: [{ name: "no-free-mail", when: 'email_domain != "gmail.com"' }] },
  });
  const sent = await harness.request("POST", "/v1/leads", [lead(1), lead(2), lead(3)]);
  for (const { id } of sent.body.accepted) await harness.waitForLead(id);
  ui = await login(harness.url, API_KEY);
});
afterAll(() => harness.close());

describe("overview", () => {
  it("shows leads by state, the breakers and the DLQ, and the charts' data", async () => {
    const page = await ui.get("/ui");
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/data-test="state-delivered">3</);
    expect(page.text).toContain("breaker-closed");
    expect(page.text).toContain('sse-connect="/ui/stream"');
    const data = /<script type="application\/json" id="series-data">([^<]*)<\/script>/.exec(
      page.text,
    );
    const series = JSON.parse(data![1]!);
    expect(series.labels).toContain("delivered");
    expect(series.states.length).toBe(series.labels.length + 1);
    expect(series.rateLabels).toEqual(["sent to Clay", "429s", "callbacks", "delivered", "dead"]);
    expect(series.rates.length).toBe(6);
  });

  it("streams new figures and chart data as server-sent events", async () => {
    const cookie = await sessionCookie();
    const controller = new AbortController();
    const answer = await fetch(`${harness.url}/ui/stream`, {
      headers: { cookie },
      signal: controller.signal,
    });
    expect(answer.headers.get("content-type")).toContain("text/event-stream");
    const reader = answer.body!.getReader();
    let text = "";
    while (!text.includes("event: series")) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toMatch(/event: overview\n(data: .*\n)+\n/);
    expect(text).toContain('data-test="state-delivered"');
  });

  it("refuses the stream without a session", async () => {
    const answer = await fetch(`${harness.url}/ui/stream`, { headers: { "hx-request": "true" } });
    expect(answer.status).toBe(401);
  });
});

describe("credits and capacity", () => {
  it("shows each cap's use in this window", async () => {
    const page = await ui.get("/ui/credits");
    expect(page.text).toContain("workspace:ws");
    expect(page.text).toMatch(/\d+ \/ 1,000/);
    expect(page.text).toContain('data-test="saved-dedupe"');
  });

  it("shows table rows and each webhook's submissions against their limits", async () => {
    const page = await ui.get("/ui/capacity");
    expect(page.text).toContain('data-test="capacity-leads"');
    expect(page.text).toMatch(/Table rows<\/td><td class="num">3 \//);
    expect(page.text).toContain("webhook #0");
  });
});

describe("config and doctor", () => {
  it("shows the running config with every secret replaced, and the rules", async () => {
    const page = await ui.get("/ui/config");
    expect(page.text).toContain("no-free-mail");
    expect(page.text).toContain("(secret, not shown)");
    expect(page.text).not.toContain(API_KEY);
    expect(page.text).not.toContain(SECRET);
  });

  it("loads the doctor's report for the running config, secrets replaced", async () => {
    const page = await ui.get("/ui/doctor");
    expect(page.text).toContain('hx-get="/ui/doctor/report"');
    const report = await ui.get("/ui/doctor/report");
    expect(report.status).toBe(200);
    expect(report.text).toMatch(
      /data-test="doctor-line"><td class="level-ok">ok<\/td><td>store<\/td>/,
    );
    expect(report.text).not.toContain(API_KEY);
    expect(report.text).not.toContain(SECRET);
  });
});

async function sessionCookie(): Promise<string> {
  const answer = await fetch(`${harness.url}/ui/login`, {
    method: "POST",
    body: new URLSearchParams({ key: API_KEY }),
    redirect: "manual",
  });
  return (answer.headers.get("set-cookie") ?? "").split(";")[0]!;
}

describe("workers", () => {
  it("lists this process, live, with its pid", async () => {
    const page = await ui.get("/ui/workers");
    expect(page.text).toContain('data-test="worker"><td>all</td>');
    expect(page.text).toContain(`<td class="num">${process.pid}</td>`);
  });
});
