/**
 * Write-back end to end in a standard-tier pipeline: a HubSpot webhook names a
 * contact, the lead goes through emulated Clay, and the hubspot sink updates
 * that very contact (by its id) instead of adding one beside it.
 */
import { createHmac, randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../../src/demo/free-port.js";
import { startEmulator } from "../../../src/emulator/index.js";
import { configSchema, createPipeline, createServer } from "../../../src/index.js";
import { until } from "../../bus/bus-contract.js";
import { startHubspotStandIn } from "../../stand-ins/hubspot-stand-in.js";
import { makeTempDir, removeTempDirs } from "../../temp-dirs.js";

const TOKEN = "pat-na1-write-back";
const CLIENT_SECRET = "hubspot-app-client-secret";
const TARGET_URL = "https://hooks.acme.com/hubspot/leads";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  removeTempDirs();
});

describe("HubSpot write-back in a standard-tier pipeline", () => {
  it("updates the contact the webhook named, and creates no other", async () => {
    const hubspot = await startHubspotStandIn({ token: TOKEN });
    cleanup.push(() => hubspot.close());
    const created = await fetch(`${hubspot.url}/crm/v3/objects/contacts/batch/upsert`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        inputs: [
          {
            idProperty: "email",
            id: "ada.lovelace@gmail.com",
            properties: { firstname: "Ada", lastname: "Lovelace", company: "Acme" },
          },
        ],
      }),
    });
    expect(created.status).toBe(200);
    const contactId = hubspot.contactIds().get("ada.lovelace@gmail.com")!;

    const emulator = await startEmulator({
      timeScale: 2000,
      workspaces: [
        {
          id: "main",
          rateLimit: { perSecond: 100, burst: 50 },
          tables: [{ id: "t", webhooks: [{}] }],
        },
      ],
    });
    cleanup.push(() => emulator.close());
    const port = await freePort();
    const config = configSchema.parse({
      tier: "standard",
      clay: {
        workspaces: [
          {
            name: "main",
            rateLimit: { perSecond: 100, burst: 50 },
            tables: [{ name: "leads", webhooks: [{ url: emulator.webhookUrl("t") }] }],
          },
        ],
      },
      callbacks: { baseUrl: `http://127.0.0.1:${port}`, secret: randomBytes(32).toString("hex") },
      server: { port },
      store: { sqlite: { path: join(makeTempDir("hubspot-write-back"), "claypipe.db") } },
      sources: [
        {
          name: "hs",
          hubspot: {
            clientSecret: CLIENT_SECRET,
            accessToken: TOKEN,
            apiBaseUrl: hubspot.url,
            targetUrl: TARGET_URL,
          },
        },
      ],
      sinks: [
        {
          name: "crm",
          type: "hubspot",
          accessToken: TOKEN,
          baseUrl: hubspot.url,
          properties: { jobtitle: "title", claypipe_id: "claypipe_id" },
        },
      ],
      routes: { default: ["crm"] },
      logLevel: "silent",
    });
    const pipeline = await createPipeline(config);
    const server = await createServer({ pipeline, config });
    cleanup.push(
      () => pipeline.stop(),
      () => server.close(),
    );
    await pipeline.start();
    await server.listen();

    const body = JSON.stringify([
      {
        eventId: 1,
        subscriptionId: 7,
        portalId: 62515,
        appId: 54321,
        occurredAt: Date.now(),
        attemptNumber: 0,
        subscriptionType: "contact.creation",
        objectId: Number(contactId),
      },
    ]);
    const timestamp = Date.now();
    const signature = createHmac("sha256", CLIENT_SECRET)
      .update(`POST${TARGET_URL}${body}${timestamp}`, "utf8")
      .digest("base64");
    const answer = await fetch(`http://127.0.0.1:${port}/v1/hubspot/hs`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hubspot-signature-v3": signature,
        "x-hubspot-request-timestamp": String(timestamp),
      },
      body,
    });
    expect(answer.status).toBe(200);

    await until(
      "the enriched lead is written to the contact",
      () => hubspot.contacts().get("ada.lovelace@gmail.com")?.claypipe_id !== undefined,
    );
    // Clay found a work email (ada.lovelace@acme.com): an upsert by email would have added it.
    expect([...hubspot.contacts().keys()]).toEqual(["ada.lovelace@gmail.com"]);
    expect(hubspot.contactIds().get("ada.lovelace@gmail.com")).toBe(contactId);
    expect(hubspot.contacts().get("ada.lovelace@gmail.com")).toMatchObject({
      firstname: "Ada",
      company: "Acme",
      jobtitle: expect.any(String),
    });
  });
});
