import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  COMPANY_DATA_CREDITS,
  EMAIL_WATERFALL,
  ENRICHMENT_ACTIONS,
  ENRICHMENT_FIELDS,
  enrich,
  PERSON_DATA_CREDITS,
} from "../../src/emulator/enrichment.js";
import {
  type EmulatorTableSpec,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/index.js";
import { lead, postJson, type Receiver, startReceiver } from "./helpers.js";

const fast = { minDelayMs: 0, maxDelayMs: 20_000 };

function tables(): EmulatorTableSpec[] {
  return [
    { id: "t_main", enrichment: { ...fast, notFoundRate: 0.15 }, webhooks: [{}] },
    { id: "t_share", enrichment: { ...fast, notFoundRate: 0.3 }, webhooks: [{}] },
    { id: "t_none", enrichment: { ...fast, notFoundRate: 0 }, webhooks: [{}] },
    { id: "t_all", enrichment: { ...fast, notFoundRate: 1 }, webhooks: [{}] },
    { id: "t_manual", autoRun: false, webhooks: [{}] },
    { id: "t_slow", enrichment: { minDelayMs: 3_000_000, maxDelayMs: 3_000_000 }, webhooks: [{}] },
  ];
}

const workspace = (tableSpecs: EmulatorTableSpec[]) => ({
  id: "ws",
  rateLimit: { perSecond: 10_000, burst: 10_000 },
  tables: tableSpecs,
});

let emulator: RunningEmulator;
let receiver: Receiver;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 10_000, workspaces: [workspace(tables())] });
  receiver = await startReceiver();
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
});
afterEach(() => emulator.control.reset());

const sample = [
  { email: "Ada.Lovelace@Analytical.io" },
  { linkedin_url: "https://www.linkedin.com/in/grace-hopper" },
  { full_name: "Alan Turing", company: "Bletchley" },
  { first_name: "Katherine", last_name: "Johnson", domain: "nasa.gov" },
  { note: "nothing to identify" },
];

function data(workspaceIndex = 0) {
  return emulator.control.snapshot().workspaces[workspaceIndex]!;
}

describe("enrich (pure)", () => {
  it("gives the same lead the same result, whatever the case of its email", () => {
    const a = enrich({ email: "Ada@Analytical.io" }, 0);
    const b = enrich({ email: " ada@analytical.io " }, 0);
    expect(a).toEqual(b);
    expect(a.status).toBe("enriched");
    for (const field of ENRICHMENT_FIELDS) expect(a.fields[field]).not.toBeNull();
    expect(Number.isInteger(a.fields.icp_score)).toBe(true);
    expect(a.fields.icp_score as number).toBeGreaterThanOrEqual(0);
    expect(a.fields.icp_score as number).toBeLessThanOrEqual(100);
  });

  it("ignores claypipe_id and callback_url when a row has no identity of its own", () => {
    const a = enrich({ note: "x", claypipe_id: "1", callback_url: "http://a/1" }, 0);
    const b = enrich({ note: "x", claypipe_id: "2", callback_url: "http://a/2" }, 0);
    expect(a).toEqual(b);
  });

  it("pays only the waterfall provider that found the email", () => {
    const costs = new Map(
      EMAIL_WATERFALL.map((step) => [step.provider as string, step.dataCredits]),
    );
    const seen = new Set<string>();
    for (let n = 0; n < 200; n++) {
      const outcome = enrich(lead(n), 0);
      const provider = String(outcome.fields.work_email_source);
      seen.add(provider);
      expect(outcome.cost).toEqual({
        actions: ENRICHMENT_ACTIONS,
        data: costs.get(provider)! + PERSON_DATA_CREDITS + COMPANY_DATA_CREDITS,
      });
    }
    // Every provider of the waterfall is reached by some leads.
    expect([...seen].sort()).toEqual([...costs.keys()].sort());
  });

  it("charges no data credits when nothing is found", () => {
    const outcome = enrich(lead(1), 1);
    expect(outcome.status).toBe("not_found");
    expect(outcome.cost).toEqual({ actions: ENRICHMENT_ACTIONS, data: 0 });
    expect(outcome.fields.enrichment_status).toBe("not_found");
    for (const field of ENRICHMENT_FIELDS) expect(outcome.fields[field]).toBeNull();
  });
});

describe("enrichment in the table", () => {
  it("gives the same results in two emulators with different seeds and time scales", async () => {
    const other = await startEmulator({
      seed: 99,
      timeScale: 5_000,
      workspaces: [workspace(tables())],
    });
    try {
      for (const instance of [emulator, other]) {
        await postJson(instance.webhookUrl("t_main"), sample);
        await instance.control.idle();
      }
      const fieldsOf = (instance: RunningEmulator) =>
        instance.control.rows("t_main").map((row) => row.fields);
      expect(fieldsOf(emulator)).toEqual(fieldsOf(other));
      expect(fieldsOf(emulator)[0]).toMatchObject({ email: "Ada.Lovelace@Analytical.io" });
      expect(emulator.control.rows("t_main").every((row) => row.status !== "pending")).toBe(true);
    } finally {
      await other.close();
    }
  });

  it("finds nothing for about notFoundRate of the rows, and exactly for rates 0 and 1", async () => {
    const leads = Array.from({ length: 300 }, (_, n) => lead(n));
    for (const id of ["t_share", "t_none", "t_all"]) {
      for (let start = 0; start < leads.length; start += 100) {
        await postJson(emulator.webhookUrl(id), leads.slice(start, start + 100));
      }
    }
    await emulator.control.idle();
    const table = (id: string) => data().tables.find((t) => t.id === id)!;
    expect(table("t_share").notFound / 300).toBeGreaterThan(0.2);
    expect(table("t_share").notFound / 300).toBeLessThan(0.4);
    expect(table("t_share").enriched + table("t_share").notFound).toBe(300);
    expect(table("t_none")).toMatchObject({ enriched: 300, notFound: 0, pending: 0 });
    expect(table("t_all")).toMatchObject({ enriched: 0, notFound: 300, pending: 0 });
    const notFoundRow = emulator.control.rows("t_all")[0]!;
    expect(notFoundRow.status).toBe("not_found");
    expect(notFoundRow.fields).toMatchObject({ enrichment_status: "not_found", work_email: null });
  });

  it("accumulates actions and data credits per row, one more action for each HTTP API call", async () => {
    const withCallback = Array.from({ length: 10 }, (_, n) =>
      lead(n, { callback_url: `${receiver.url}/cb/${n}` }),
    );
    const without = Array.from({ length: 10 }, (_, n) => lead(100 + n));
    await postJson(emulator.webhookUrl("t_none"), [...withCallback, ...without]);
    await emulator.control.idle();
    const costs = new Map(
      EMAIL_WATERFALL.map((step) => [step.provider as string, step.dataCredits]),
    );
    const expectedData = emulator.control
      .rows("t_none")
      .reduce((sum, row) => sum + costs.get(String(row.fields.work_email_source))! + 5, 0);
    expect(data().credits).toMatchObject({
      actionsUsed: 20 * ENRICHMENT_ACTIONS + 10,
      dataUsed: expectedData,
      exhausted: false,
    });
    expect(data().credits.dataUsed).toBeGreaterThanOrEqual(20 * 7);
    expect(data().credits.dataUsed).toBeLessThanOrEqual(20 * 10);
  });

  it("leaves rows pending and free when auto-run is off", async () => {
    await postJson(emulator.webhookUrl("t_manual"), [lead(1), lead(2)]);
    await emulator.control.idle();
    expect(emulator.control.rows("t_manual").map((row) => row.status)).toEqual([
      "pending",
      "pending",
    ]);
    expect(data().credits).toMatchObject({ actionsUsed: 0, dataUsed: 0 });
    expect(data().tables.find((t) => t.id === "t_manual")!.pending).toBe(2);
  });

  it("keeps a row pending until its Clay-time delay has passed", async () => {
    // 3,000 Clay seconds at 10,000x: 300 real ms.
    await postJson(emulator.webhookUrl("t_slow"), lead(1));
    expect(emulator.control.rows("t_slow")[0]!.status).toBe("pending");
    await emulator.control.idle();
    expect(emulator.control.rows("t_slow")[0]!.status).not.toBe("pending");
  });
});
