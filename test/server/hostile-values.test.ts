/**
 * Megabyte-sized hostile values through every intake route of a real
 * `claypipe start` process, while `/healthz` is asked again and again: no value
 * may hold the server's one thread long enough to starve other requests.
 * Slashes followed by a line break, runs of separators, tens of thousands of
 * fields: each once made a regex or a lookup take time in the square of its
 * length (a form post with 50,000 slashes froze every route for 7.9 s).
 */
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import { killHard, type ServiceProcess, startService } from "../reliability/service-harness.js";
import { type HubspotStandIn, startHubspotStandIn } from "../stand-ins/hubspot-stand-in.js";

const MB = 1_048_576;
const ENV = {
  CB_SECRET: randomBytes(32).toString("hex"),
  API_KEY: randomBytes(16).toString("hex"),
  CRM_SECRET: randomBytes(16).toString("hex"),
  HS_SECRET: randomBytes(16).toString("hex"),
  HS_TOKEN: "pat-na1-hostile-values",
};
const HS_TARGET = "https://hooks.example.com/v1/hubspot/hs";
// Generous: an answer takes milliseconds; a value that holds the thread held it for seconds to hours.
const HEALTHZ_BOUND_MS = 5000;

let dir: string;
let hubspot: HubspotStandIn;
let service: ServiceProcess;
let contactId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "claypipe-hostile-"));
  hubspot = await startHubspotStandIn({ token: ENV.HS_TOKEN });
  const created = await fetch(`${hubspot.url}/crm/v3/objects/contacts/batch/upsert`, {
    method: "POST",
    headers: { authorization: `Bearer ${ENV.HS_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      inputs: [
        {
          idProperty: "email",
          id: "ada@acme.example",
          properties: { firstname: "Ada", website: `${"/".repeat(MB / 2)}\nx` },
        },
      ],
    }),
  });
  contactId = ((await created.json()) as { results: Array<{ id: string }> }).results[0]!.id;

  const port = await freePort();
  const configPath = join(dir, "claypipe.config.yaml");
  writeFileSync(
    configPath,
    `tier: standard
clay:
  workspaces:
    - name: ws
      tables:
        - name: leads
          webhooks:
            - url: http://127.0.0.1:9/unused
callbacks:
  baseUrl: http://127.0.0.1:${port}
  secret: "\${CB_SECRET}"
sources:
  - { name: api }
  - { name: web, form: { allowedOrigins: ["*"] } }
  - { name: crm, crm: { secret: "\${CRM_SECRET}" } }
  - name: hs
    hubspot:
      clientSecret: "\${HS_SECRET}"
      accessToken: "\${HS_TOKEN}"
      apiBaseUrl: ${hubspot.url}
      targetUrl: ${HS_TARGET}
server: { port: ${port}, apiKeys: [ "\${API_KEY}" ], bodyLimit: ${4 * MB} }
store: { sqlite: { path: ${join(dir, "claypipe.db")} } }
logLevel: error
`,
  );
  service = await startService(configPath, dir, ENV);
});

afterAll(async () => {
  if (service) await killHard(service);
  await hubspot?.close();
  rmSync(dir, { recursive: true, force: true });
});

const slashes = "/".repeat(MB);
const json = { "content-type": "application/json" };
const apiKey = { authorization: `Bearer ${ENV.API_KEY}` };

interface Post {
  name: string;
  path: string;
  body: string;
  headers: Record<string, string>;
  /** Statuses that are a fine answer: taken, refused as invalid, or refused as too large. */
  expected: number[];
}

function hubspotSigned(body: string): Record<string, string> {
  const timestamp = String(Date.now());
  const signature = createHmac("sha256", ENV.HS_SECRET)
    .update(`POST${HS_TARGET}${body}${timestamp}`, "utf8")
    .digest("base64");
  return {
    ...json,
    "x-hubspot-signature-v3": signature,
    "x-hubspot-request-timestamp": timestamp,
  };
}

function posts(): Post[] {
  const manyNestedFields = JSON.stringify(
    Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`f${i}`, { x: 1 }])),
  );
  const hubspotBody = JSON.stringify([
    { subscriptionType: "contact.creation", objectId: Number(contactId), occurredAt: Date.now() },
  ]);
  return [
    {
      name: "a domain of slashes then a line break",
      path: "/v1/leads",
      body: JSON.stringify({ full_name: "Ada L", domain: `${slashes}\nx` }),
      headers: { ...json, ...apiKey },
      expected: [202],
    },
    {
      name: "a LinkedIn URL with slashes inside",
      path: "/v1/leads",
      body: JSON.stringify({ linkedin_url: `https://linkedin.com/in/ada${slashes}x` }),
      headers: { ...json, ...apiKey },
      // Normalised in linear time, then refused: a megabyte cannot make a Clay row.
      expected: [422],
    },
    {
      name: "an email of @s and a field name of separators",
      path: "/v1/leads",
      body: JSON.stringify({ email: "@".repeat(MB), [`${" -_".repeat(MB / 3)}x`]: { a: 1 } }),
      headers: { ...json, ...apiKey },
      expected: [422],
    },
    {
      name: "a form's domain of slashes then a line break",
      path: "/v1/forms/web",
      body: new URLSearchParams({ full_name: "Ada L", domain: `${slashes}\nx` }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://x.example" },
      expected: [202],
    },
    {
      name: "a form with 20,000 fields that are not flat",
      path: "/v1/forms/web",
      body: manyNestedFields,
      headers: { ...json, origin: "https://x.example" },
      expected: [422],
    },
    {
      name: "a CRM event with a LinkedIn URL of slashes and spaces",
      path: "/v1/events/crm",
      body: JSON.stringify({ linkedin_url: `linkedin.com/${" /".repeat(MB / 2)}x` }),
      headers: { ...json, authorization: `Bearer ${ENV.CRM_SECRET}` },
      expected: [422],
    },
    {
      name: "a HubSpot contact whose website is slashes then a line break",
      path: "/v1/hubspot/hs",
      body: hubspotBody,
      headers: hubspotSigned(hubspotBody),
      expected: [200],
    },
    {
      name: "a body over the limit",
      path: "/v1/leads",
      body: JSON.stringify({ domain: "/".repeat(5 * MB) }),
      headers: { ...json, ...apiKey },
      expected: [413],
    },
  ];
}

it("answers /healthz promptly while megabyte-sized hostile values go through every intake route", async () => {
  const healthz: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const started = performance.now();
      try {
        const answer = await fetch(`${service.url}/healthz`, {
          signal: AbortSignal.timeout(3 * HEALTHZ_BOUND_MS),
        });
        healthz.push(answer.status === 200 ? performance.now() - started : Infinity);
      } catch {
        healthz.push(Infinity);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  const statuses = await Promise.all(
    posts().map(async (post) => {
      try {
        const answer = await fetch(`${service.url}${post.path}`, {
          method: "POST",
          headers: post.headers,
          body: post.body,
          signal: AbortSignal.timeout(20_000),
        });
        await answer.text();
        return [post.name, post.expected.includes(answer.status) ? "ok" : answer.status] as const;
      } catch (error) {
        return [post.name, String(error)] as const;
      }
    }),
  );
  polling = false;
  await poller;

  expect(Object.fromEntries(statuses)).toEqual(
    Object.fromEntries(posts().map((post) => [post.name, "ok"])),
  );
  expect(healthz.length).toBeGreaterThan(0);
  expect(healthz.filter((ms) => ms > HEALTHZ_BOUND_MS)).toEqual([]);
});
