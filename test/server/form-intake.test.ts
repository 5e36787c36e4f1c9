/**
 * Web forms over real HTTP: `POST /v1/forms/:formId` with urlencoded and JSON
 * bodies, the field mapping, the origin allowlist and CORS, the honeypot, and
 * redirect or JSON answers. Every accepted post is a lead in the store; every
 * refused one leaves the store as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IntakeHarness, startIntakeHarness } from "./intake-sources-harness.js";
import { type Harness, startHarness } from "./server-harness.js";

const SITE = "https://www.acme.com";
const URLENCODED = { "content-type": "application/x-www-form-urlencoded" };

let harness: IntakeHarness;

beforeAll(async () => {
  harness = await startIntakeHarness({
    sources: [
      { name: "api" },
      {
        name: "contact-form",
        priority: 5,
        form: {
          id: "contact",
          allowedOrigins: [SITE, "http://localhost:3000"],
          fields: { email: "Email", first_name: "First Name", company: "Company" },
          honeypot: "website",
          redirect: { success: `${SITE}/thanks`, error: `${SITE}/contact?retry=1` },
        },
      },
      { name: "newsletter", form: { allowedOrigins: ["*"] } },
    ],
  });
});
afterAll(() => harness.close());

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe("a browser's urlencoded post", () => {
  it("maps the form's fields to a lead, writes it, then redirects to the success page", async () => {
    const from = harness.accepted.length;
    const answer = await harness.post(
      "/v1/forms/contact",
      form({ Email: "Ada@Acme.com", "First Name": "Ada", Company: "Acme", Message: "hi" }),
      { ...URLENCODED, origin: SITE },
    );
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe(`${SITE}/thanks`);
    const [lead] = await harness.leadsSince(from);
    expect(lead).toMatchObject({
      source: "contact-form",
      priority: 5,
      state: "queued",
      fields: { email: "ada@acme.com", first_name: "Ada", company: "Acme" },
    });
    // Only mapped fields are taken.
    expect(lead!.fields).not.toHaveProperty("message");
  });

  it("redirects a lead it cannot take to the error page, naming the code and the form field", async () => {
    const before = await harness.leadCount();
    const answer = await harness.post(
      "/v1/forms/contact",
      form({ Email: "not-an-email", "First Name": "Bob" }),
      { ...URLENCODED, origin: SITE },
    );
    expect(answer.status).toBe(303);
    const location = new URL(answer.headers.get("location")!);
    expect(location.origin + location.pathname).toBe(`${SITE}/contact`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      retry: "1",
      error: "invalid_lead",
      field: "Email",
    });
    expect(await harness.leadCount()).toBe(before);
  });

  it("keeps every value of a field posted twice", async () => {
    const from = harness.accepted.length;
    const answer = await harness.post(
      "/v1/forms/newsletter",
      "email=multi%40example.com&interest=crm&interest=ads",
      URLENCODED,
    );
    expect(answer.status).toBe(202);
    const [lead] = await harness.leadsSince(from);
    expect(lead!.fields).toMatchObject({ email: "multi@example.com", interest: "crm, ads" });
  });

  it("sends a post over server.bodyLimit to the error page too", async () => {
    const answer = await harness.post(
      "/v1/forms/contact",
      form({ Email: "big@example.com", Company: "x".repeat(5000) }),
      { ...URLENCODED, origin: SITE },
    );
    expect(answer.status).toBe(303);
    expect(new URL(answer.headers.get("location")!).searchParams.get("error")).toBe(
      "body_too_large",
    );
  });
});

describe("a script's JSON post", () => {
  it("is answered { ok: true } with CORS headers for the page's origin", async () => {
    const from = harness.accepted.length;
    const answer = await harness.post(
      "/v1/forms/contact",
      { Email: "grace@navy.mil", "First Name": "Grace" },
      { origin: "http://localhost:3000" },
    );
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ ok: true });
    expect(answer.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(answer.headers.get("vary")).toContain("origin");
    const [lead] = await harness.leadsSince(from);
    expect(lead!.fields).toMatchObject({ email: "grace@navy.mil", first_name: "Grace" });
  });

  it("says the same for a person already known: a public form tells nobody who is in the store", async () => {
    const first = await harness.post("/v1/forms/newsletter", { email: "known@example.com" });
    const again = await harness.post("/v1/forms/newsletter", { email: "known@example.com" });
    expect(first.body).toEqual({ ok: true });
    expect(again.body).toEqual({ ok: true });
    const leads = await harness.leadsSince(harness.accepted.length - 2);
    expect(leads.map((lead) => lead.state)).toEqual(["queued", "duplicate"]);
  });

  it("answers 422 naming the form field, even on a form with redirects", async () => {
    const before = await harness.leadCount();
    const answer = await harness.post(
      "/v1/forms/contact",
      { Email: "nope", "First Name": "Ann" },
      { origin: SITE },
    );
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      error: "invalid_lead",
      issues: [{ path: "Email", reason: '"nope" is not a valid email address' }],
      hint: expect.any(String),
    });
    expect(answer.headers.get("access-control-allow-origin")).toBe(SITE);
    expect(await harness.leadCount()).toBe(before);
  });

  it("answers 422 for a post with nothing to enrich, and 400 for a body that is not fields", async () => {
    const empty = await harness.post("/v1/forms/newsletter", { comment: "hello" });
    expect(empty.status).toBe(422);
    expect(empty.body.issues[0]).toMatchObject({
      path: "",
      reason: expect.stringContaining("needs an email"),
    });
    const list = await harness.post("/v1/forms/newsletter", [{ email: "a@example.com" }]);
    expect(list.status).toBe(400);
    expect(list.body.error).toBe("invalid_body");
    const nested = await harness.post("/v1/forms/newsletter", {
      email: "n@example.com",
      extra: { a: 1 },
    });
    expect(nested.status).toBe(422);
    expect(nested.body.issues[0].path).toBe("extra");
  });

  it("answers the browser's preflight for allowed origins only", async () => {
    const allowed = await harness.request("OPTIONS", "/v1/forms/contact", {
      origin: SITE,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(SITE);
    expect(allowed.headers.get("access-control-allow-methods")).toBe("POST");
    expect(allowed.headers.get("access-control-allow-headers")).toBe("content-type");
    const refused = await harness.request("OPTIONS", "/v1/forms/contact", {
      origin: "https://evil.example",
      "access-control-request-method": "POST",
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    const open = await harness.request("OPTIONS", "/v1/forms/newsletter", {
      origin: "https://anyone.example",
    });
    expect(open.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("the origin allowlist", () => {
  it("refuses another site's page, and a post that names no page, before reading the body", async () => {
    const before = await harness.leadCount();
    const evil = await harness.post(
      "/v1/forms/contact",
      { Email: "x@example.com" },
      { origin: "https://evil.example" },
    );
    expect(evil.status).toBe(403);
    expect(evil.body).toMatchObject({
      error: "origin_not_allowed",
      message: expect.stringContaining("https://evil.example"),
      hint: expect.stringContaining("allowedOrigins"),
    });
    const anonymous = await harness.post("/v1/forms/contact", { Email: "x@example.com" });
    expect(anonymous.status).toBe(403);
    const nullOrigin = await harness.post(
      "/v1/forms/contact",
      { Email: "x@example.com" },
      { origin: "null" },
    );
    expect(nullOrigin.status).toBe(403);
    expect(await harness.leadCount()).toBe(before);
  });

  it("takes the Referer's origin when there is no Origin, ignoring case in the host", async () => {
    const answer = await harness.post("/v1/forms/contact", form({ Email: "referer@example.com" }), {
      ...URLENCODED,
      referer: "https://WWW.ACME.com/contact?from=ad",
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe(`${SITE}/thanks`);
  });
});

describe("the honeypot", () => {
  it("answers a filled-in honeypot exactly like a success, and stores nothing", async () => {
    const before = await harness.leadCount();
    const fromAccepted = harness.accepted.length;
    const bot = await harness.post(
      "/v1/forms/contact",
      form({ Email: "bot@spam.example", website: "http://spam.example" }),
      { ...URLENCODED, origin: SITE },
    );
    expect(bot.status).toBe(303);
    expect(bot.headers.get("location")).toBe(`${SITE}/thanks`);
    const script = await harness.post(
      "/v1/forms/contact",
      { Email: "bot@spam.example", website: "x" },
      { origin: SITE },
    );
    expect(script.status).toBe(202);
    expect(script.body).toEqual({ ok: true });
    expect(await harness.leadCount()).toBe(before);
    expect(harness.accepted.length).toBe(fromAccepted);
    expect(harness.logs.filter((line) => line.msg.startsWith("form honeypot"))).toHaveLength(2);
  });

  it("takes a post whose honeypot is left empty", async () => {
    const answer = await harness.post(
      "/v1/forms/contact",
      form({ Email: "human@example.com", website: " " }),
      { ...URLENCODED, origin: SITE },
    );
    expect(answer.headers.get("location")).toBe(`${SITE}/thanks`);
  });
});

describe("other requests", () => {
  it("answers 404 for an unknown form and 415 for multipart, with what to do", async () => {
    const unknown = await harness.post("/v1/forms/nope", { email: "a@example.com" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe("form_not_found");
    const multipart = new FormData();
    multipart.set("email", "a@example.com");
    const response = await fetch(`${harness.url}/v1/forms/newsletter`, {
      method: "POST",
      body: multipart,
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { hint: string }).hint).toContain(
      "multipart/form-data is not taken",
    );
  });

  it("never logs what a form carries", () => {
    const text = JSON.stringify(harness.logs);
    expect(text).not.toMatch(/@acme\.com|@navy\.mil|@example\.com|@spam\.example/i);
  });
});

describe("the whole path", () => {
  let full: Harness;
  beforeAll(async () => {
    full = await startHarness({
      config: { sources: [{ name: "api" }, { name: "web", form: { allowedOrigins: ["*"] } }] },
    });
  });
  afterAll(() => full.close());

  it("a form's lead goes to Clay, comes back by callback and is delivered", async () => {
    const answer = await fetch(`${full.url}/v1/forms/web`, {
      method: "POST",
      headers: URLENCODED,
      body: form({ email: "loop@example.com", first_name: "Loop" }),
    });
    expect(answer.status).toBe(202);
    let record: Record<string, unknown> | undefined;
    while (!record) {
      record = full.sinkRecords().find((candidate) => candidate.email === "loop@example.com");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(record).toMatchObject({ source: "web", first_name: "Loop" });
  });
});
