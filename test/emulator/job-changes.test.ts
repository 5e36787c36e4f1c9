import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ENRICHMENT_FIELDS, enrich } from "../../src/emulator/enrichment.js";
import {
  type EmulatorTableSpec,
  type RunningEmulator,
  startEmulator,
} from "../../src/emulator/index.js";
import { lead, postJson } from "./helpers.js";

const now = { minDelayMs: 0, maxDelayMs: 0, notFoundRate: 0 };

function tables(): EmulatorTableSpec[] {
  return [
    { id: "t_always", enrichment: now, jobChanges: { share: 1 }, webhooks: [{}] },
    { id: "t_never", enrichment: now, jobChanges: { share: 0 }, webhooks: [{}] },
    { id: "t_half", enrichment: now, jobChanges: { share: 0.5 }, webhooks: [{}] },
    { id: "t_default", enrichment: now, webhooks: [{}] },
    { id: "t_missing", enrichment: { ...now, notFoundRate: 1 }, webhooks: [{}] },
  ];
}

const workspace = () => ({
  id: "ws",
  rateLimit: { perSecond: 10_000, burst: 10_000 },
  tables: tables(),
});

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 10_000, workspaces: [workspace()] });
});
afterAll(() => emulator.close());
afterEach(() => emulator.control.reset());

const JOB_FIELDS = [
  "title",
  "seniority",
  "company_name",
  "company_domain",
  "employee_count",
  "industry",
  "work_email",
] as const;

/** Sends the rows as one more round of enrichment of the same people; returns the round's fields. */
async function enrichRound(
  tableId: string,
  leads: Record<string, unknown>[],
  instance = emulator,
): Promise<Record<string, unknown>[]> {
  const before = instance.control.rows(tableId).length;
  // A new claypipe_id per send, as a refresh sends it: the person stays the same.
  const rows = leads.map((fields, n) => ({ ...fields, claypipe_id: `${before + n}` }));
  await postJson(instance.webhookUrl(tableId), rows);
  await instance.control.idle();
  return instance.control
    .rows(tableId)
    .slice(before)
    .map((row) => row.fields);
}

function enrichedPart(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(ENRICHMENT_FIELDS.map((field) => [field, fields[field]]));
}

function table(id: string) {
  return emulator.control.snapshot().workspaces[0]!.tables.find((entry) => entry.id === id)!;
}

const people = Array.from({ length: 30 }, (_, n) => lead(n));

describe("job changes in the emulator", () => {
  it("never changes a first enrichment, even when every re-enrichment moves the person", async () => {
    const first = await enrichRound("t_always", people);
    first.forEach((fields, n) => {
      expect(enrichedPart(fields)).toEqual(enrichedPart(enrich(people[n]!, 0).fields));
    });
    expect(table("t_always").jobChanges).toBe(0);
  });

  it("with share 1, finds every person of a second enrichment at another company", async () => {
    const first = await enrichRound("t_always", people);
    const spentOnFirst = emulator.control.snapshot().workspaces[0]!.credits;
    const second = await enrichRound("t_always", people);
    second.forEach((moved, n) => {
      const before = first[n]!;
      for (const field of JOB_FIELDS) expect(moved[field], field).not.toEqual(before[field]);
      expect(moved.work_email).toMatch(new RegExp(`@${String(moved.company_domain)}$`));
      expect(String(moved.work_email).split("@")[0]).toBe(String(before.work_email).split("@")[0]);
      expect(moved.icp_score).toEqual(expect.any(Number));
      // The person, not the company: these stay.
      for (const field of ["country", "linkedin_url", "work_email_source", "email"]) {
        expect(moved[field], field).toEqual(before[field]);
      }
    });
    expect(table("t_always").jobChanges).toBe(people.length);
    // A move costs what the first enrichment cost.
    expect(emulator.control.snapshot().workspaces[0]!.credits).toMatchObject({
      actionsUsed: spentOnFirst.actionsUsed * 2,
      dataUsed: spentOnFirst.dataUsed * 2,
    });
  });

  it("with share 0, gives a re-enrichment the same result", async () => {
    const first = await enrichRound("t_never", people);
    const second = await enrichRound("t_never", people);
    expect(second.map(enrichedPart)).toEqual(first.map(enrichedPart));
    expect(table("t_never").jobChanges).toBe(0);
  });

  it("moves about the share, and keeps a moved person at the new job until they move again", async () => {
    const many = Array.from({ length: 200 }, (_, n) => lead(n));
    type Round = Record<string, unknown>[];
    const rounds: Round[] = [];
    for (let round = 0; round < 3; round++) rounds.push(await enrichRound("t_half", many));
    const [first, second, third] = rounds as [Round, Round, Round];
    const moved = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      a.company_domain !== b.company_domain;
    const movedSecond = many.filter((_, n) => moved(first[n]!, second[n]!)).length;
    expect(movedSecond / many.length).toBeGreaterThan(0.35);
    expect(movedSecond / many.length).toBeLessThan(0.65);

    const stayed = many.flatMap((_, n) =>
      moved(first[n]!, second[n]!) && !moved(second[n]!, third[n]!) ? [n] : [],
    );
    expect(stayed.length).toBeGreaterThan(0);
    for (const n of stayed) expect(enrichedPart(third[n]!)).toEqual(enrichedPart(second[n]!));
    expect(table("t_half").jobChanges).toBe(
      movedSecond + many.filter((_, n) => moved(second[n]!, third[n]!)).length,
    );
  });

  it("moves a small share by default", async () => {
    const many = Array.from({ length: 300 }, (_, n) => lead(n));
    await enrichRound("t_default", many);
    await enrichRound("t_default", many);
    const share = table("t_default").jobChanges / many.length;
    expect(share).toBeGreaterThan(0.03);
    expect(share).toBeLessThan(0.2);
  });

  it("gives the same moves for the same rows in emulators with other seeds", async () => {
    const other = await startEmulator({ seed: 7, timeScale: 5_000, workspaces: [workspace()] });
    try {
      const results = [];
      for (const instance of [emulator, other]) {
        await enrichRound("t_half", people, instance);
        results.push(await enrichRound("t_half", people, instance));
      }
      expect(results[0]).toEqual(results[1]);
    } finally {
      await other.close();
    }
  });

  it("forgets what it counted on reset", async () => {
    const first = await enrichRound("t_always", people.slice(0, 3));
    emulator.control.reset();
    expect(await enrichRound("t_always", people.slice(0, 3))).toEqual(first);
  });
});

describe("forcing a job change", () => {
  async function force(tableId: string, body: unknown) {
    const response = await fetch(`${emulator.url}/_emulator/tables/${tableId}/job-changes`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("POST /tables/:id/job-changes moves the person on their next enrichment only", async () => {
    const [first] = await enrichRound("t_never", [lead(1)]);
    const { status, body } = await force("t_never", { email: " Lead1@Example.com" });
    expect({ status, body }).toEqual({
      status: 200,
      body: { tableId: "t_never", identity: "email:lead1@example.com", enrichments: 1 },
    });
    const [moved] = await enrichRound("t_never", [lead(1)]);
    for (const field of JOB_FIELDS) expect(moved![field], field).not.toEqual(first![field]);
    // No more moves at share 0, and no way back: the person stays at the new job.
    const [after] = await enrichRound("t_never", [lead(1)]);
    expect(enrichedPart(after!)).toEqual(enrichedPart(moved!));
    expect(table("t_never").jobChanges).toBe(1);
  });

  it("moves only the person named, in the table named", async () => {
    await enrichRound("t_never", [lead(1), lead(2)]);
    await enrichRound("t_half", [lead(1)]);
    emulator.control.moveOnNextEnrichment("t_never", lead(1));
    const [one, two] = await enrichRound("t_never", [lead(1), lead(2)]);
    expect(one!.company_domain).not.toBe(enrich(lead(1), 0).fields.company_domain);
    expect(enrichedPart(two!)).toEqual(enrichedPart(enrich(lead(2), 0).fields));
    expect(table("t_half").jobChanges).toBe(0);
  });

  it("applies to a first enrichment too, and leaves a person nothing is found for not found", async () => {
    emulator.control.moveOnNextEnrichment("t_never", lead(5));
    const [moved] = await enrichRound("t_never", [lead(5)]);
    expect(moved!.company_domain).not.toBe(enrich(lead(5), 0).fields.company_domain);

    emulator.control.moveOnNextEnrichment("t_missing", lead(5));
    const [missing] = await enrichRound("t_missing", [lead(5)]);
    expect(missing).toMatchObject({ enrichment_status: "not_found", company_domain: null });
    expect(table("t_missing").jobChanges).toBe(0);
  });

  it("answers 404 for an unknown table and 400 for a body that names no one", async () => {
    expect(await force("t_nope", { email: "a@b.co" })).toMatchObject({
      status: 404,
      body: { error: "table_not_found" },
    });
    for (const body of [{}, [], "ada@acme.com", null]) {
      expect(await force("t_never", body), JSON.stringify(body)).toMatchObject({
        status: 400,
        body: { error: "invalid_person" },
      });
    }
  });
});
