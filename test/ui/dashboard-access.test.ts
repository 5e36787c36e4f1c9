/**
 * Who gets into the dashboard: a session from the login form (never the key
 * itself in the browser), pages behind it, strict security headers, actions
 * only with the session's CSRF token, and read-only keys that cannot act.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, type Harness, startHarness } from "../server/server-harness.js";
import { login } from "./ui-client.js";

const READ_KEY = "read-only-key-0123456789";
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ server: { readOnlyKeys: [READ_KEY] } });
});
afterAll(() => harness.close());

describe("logging in", () => {
  it("sends a browser without a session to the login form, keeping where it was going", async () => {
    const answer = await fetch(`${harness.url}/ui/credits`, { redirect: "manual" });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/ui/login?next=%2Fui%2Fcredits");
    const form = await fetch(`${harness.url}/ui/login`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="key"');
  });

  it("refuses a wrong key and sets no cookie", async () => {
    const answer = await fetch(`${harness.url}/ui/login`, {
      method: "POST",
      body: new URLSearchParams({ key: "not-a-key-at-all-000" }),
      redirect: "manual",
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("set-cookie")).toBeNull();
    expect(await answer.text()).toContain("not one of this server");
  });

  it("answers a right key with an HttpOnly, SameSite=Strict session cookie that holds no key", async () => {
    const answer = await fetch(`${harness.url}/ui/login`, {
      method: "POST",
      body: new URLSearchParams({ key: API_KEY, next: "/ui/capacity" }),
      redirect: "manual",
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/ui/capacity");
    const cookie = answer.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^claypipe_session=[^;]+; Path=\/ui; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    expect(cookie).not.toContain(API_KEY);
    expect(Buffer.from(cookie.split(/[=.]/)[1]!, "base64url").toString()).not.toContain(API_KEY);
  });

  it("never redirects off the dashboard after login", async () => {
    for (const next of ["https://evil.example/", "//evil.example/ui", "/ui\\evil", "/uix"]) {
      const answer = await fetch(`${harness.url}/ui/login`, {
        method: "POST",
        body: new URLSearchParams({ key: API_KEY, next }),
        redirect: "manual",
      });
      expect(answer.headers.get("location")).toBe("/ui");
    }
  });

  it("refuses a forged or tampered cookie", async () => {
    const ui = await login(harness.url, READ_KEY);
    const answer = await fetch(`${harness.url}/ui`, {
      headers: { cookie: "claypipe_session=eyJyIjoiYWRtaW4ifQ.forged" },
      redirect: "manual",
    });
    expect(answer.status).toBe(303);
    expect((await ui.get("/ui")).status).toBe(200);
  });
});

describe("every page", () => {
  it("carries a strict Content-Security-Policy and is not cached", async () => {
    const ui = await login(harness.url, API_KEY);
    const answer = await ui.get("/ui");
    expect(answer.status).toBe(200);
    const csp = answer.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.text).not.toMatch(
      /<script>(?!\s*<\/script>)|<script\s+(?!src=|type="application\/json")/,
    );
  });

  it("serves its assets itself, from the pinned packages", async () => {
    const ui = await login(harness.url, API_KEY);
    const page = await ui.get("/ui");
    const assets = [...page.text.matchAll(/(?:src|href)="(\/ui\/assets\/[^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(assets.length).toBe(6);
    for (const asset of assets) {
      const answer = await fetch(`${harness.url}${asset}`);
      expect(answer.status, asset).toBe(200);
      expect((await answer.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    expect((await fetch(`${harness.url}/ui/assets/0/../../package.json`)).status).toBe(404);
  });

  it("answers an address that is no page with a dashboard page, not the API's JSON", async () => {
    const ui = await login(harness.url, READ_KEY);
    const missing = await ui.get("/ui/nosuchpage?x=<b>");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("text/html");
    expect(missing.text).toContain('data-test="not-found"');
    expect(missing.text).toContain('href="/ui/credits"');
    const anonymous = await fetch(`${harness.url}/ui/nosuchpage`, { redirect: "manual" });
    expect(anonymous.status).toBe(404);
    expect(await anonymous.text()).not.toContain('href="/ui/credits"');
  });
});
