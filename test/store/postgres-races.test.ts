/**
 * Counters stay exact under concurrent workers: four worker processes open
 * the same PostgreSQL store at once and race for a capacity counter, a credit
 * cap, the same people at admission, and the same queued leads. Whatever the
 * interleaving, the totals must come out exact.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStore, MIGRATIONS } from "../../src/store/postgres/index.js";
import { newLead } from "./contract/fixtures.js";
import { RACE, type RaceReport } from "./fixtures/postgres-race-plan.js";
import {
  connectAdmin,
  DATABASE_URL,
  dropSchema,
  randomSchema,
} from "./fixtures/postgres-server.js";

const workerScript = join(import.meta.dirname, "fixtures", "postgres-race-worker.ts");
const schema = randomSchema("races");
let admin: pg.Client;
const children: ChildProcess[] = [];

beforeAll(async () => {
  admin = await connectAdmin();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  if (!admin) return;
  await dropSchema(admin, schema);
  await admin.end();
});

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  report: Promise<RaceReport>;
}

function startWorker(index: number): Worker {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", workerScript, DATABASE_URL, schema, String(index)],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  children.push(child);
  let stderr = "";
  let stdout = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`worker ${index} ended with ${code ?? signal}:\n${stderr}`));
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.startsWith("ready\n")) resolve();
    });
    exited.then(() => reject(new Error(`worker ${index} ended before it was ready`)), reject);
  });
  const report = exited.then(() => {
    const line = stdout.split("\n").find((text) => text.startsWith("{"));
    if (!line) throw new Error(`worker ${index} printed no report:\n${stdout}\n${stderr}`);
    return JSON.parse(line) as RaceReport;
  });
  return { child, ready, report };
}

describe("the PostgreSQL store under racing worker processes", () => {
  it("keeps counters, credits, dedupe and claims exact", async () => {
    // The workers migrate the new schema together as they open it.
    const workers = Array.from({ length: RACE.workers }, (_, index) => startWorker(index));
    await Promise.all(workers.map((worker) => worker.ready));
    const { rows: versions } = await admin.query<{ version: number }>(
      `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
    );
    expect(versions.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));

    const seeder = await createPostgresStore({ connectionString: DATABASE_URL, schema });
    const queued = Array.from({ length: RACE.queuedLeads }, (_, index) =>
      newLead({ workspace: "claim", priority: index % 3 }),
    );
    await seeder.leads.admit(queued, { dedupeSince: 0, now: RACE.claimTime - 1000 });
    await seeder.close();

    for (const worker of workers) worker.child.stdin?.end("go\n");
    const reports = await Promise.all(workers.map((worker) => worker.report));

    // Capacity: exactly the limit granted, and both counters of each grant counted together.
    const countersGranted = reports.reduce((sum, report) => sum + report.countersGranted, 0);
    expect(RACE.workers * RACE.counterTriesPerWorker).toBeGreaterThan(RACE.counterLimit);
    expect(countersGranted).toBe(RACE.counterLimit);
    const counts = await admin.query<{ key: string; count: string }>(
      `SELECT key, count FROM "${schema}".capacity_counters ORDER BY key`,
    );
    expect(counts.rows).toEqual([
      { key: "table:race", count: String(RACE.counterLimit) },
      { key: "webhook:race", count: String(RACE.counterLimit) },
    ]);

    // Credits: the cap filled exactly, never passed, and every grant counted under each cap.
    const perGrant = RACE.creditEstimate.data;
    const fits = Math.floor(RACE.creditCap.limit.data / perGrant);
    const creditsGranted = reports.reduce((sum, report) => sum + report.creditsGranted, 0);
    expect(RACE.workers * RACE.creditTriesPerWorker).toBeGreaterThan(fits);
    expect(creditsGranted).toBe(fits);
    for (const report of reports) {
      expect(report.creditsSeenUsed).toBeLessThanOrEqual(RACE.creditCap.limit.data);
    }
    const totals = await admin.query<{ scope: string; actions_milli: string; data_milli: string }>(
      `SELECT scope, actions_milli, data_milli FROM "${schema}".credit_totals ORDER BY scope`,
    );
    const capTotal = totals.rows.find((row) => row.scope === RACE.creditCap.scope);
    expect(capTotal).toMatchObject({
      actions_milli: String(fits * 1000),
      data_milli: String(fits * perGrant * 1000),
    });
    const perSource = totals.rows.filter((row) => row.scope.startsWith("source:"));
    expect(perSource.reduce((sum, row) => sum + Number(row.data_milli), 0)).toBe(
      fits * perGrant * 1000,
    );
    for (const report of reports) {
      const source = perSource.find((row) => row.scope === `source:worker-${report.worker}`);
      expect(Number(source?.actions_milli ?? 0)).toBe(report.creditsGranted * 1000);
    }

    // Dedupe: one original per person across all workers, every repeat pointing at it.
    const admitted = reports.flatMap((report) => report.admitted);
    expect(admitted).toHaveLength(RACE.workers * RACE.people);
    const originals = new Map<string, string>();
    for (const lead of admitted.filter((entry) => entry.duplicateOf === null)) {
      expect(originals.has(lead.identityKey), `${lead.identityKey} has two originals`).toBe(false);
      originals.set(lead.identityKey, lead.id);
    }
    expect(originals.size).toBe(RACE.people);
    for (const lead of admitted.filter((entry) => entry.duplicateOf !== null)) {
      expect(lead.duplicateOf).toBe(originals.get(lead.identityKey));
    }
    const stored = await admin.query<{ identity_key: string; originals: string }>(
      `SELECT identity_key, COUNT(*) FILTER (WHERE duplicate_of IS NULL) AS originals
       FROM "${schema}".leads WHERE workspace = 'race' GROUP BY identity_key`,
    );
    expect(stored.rows).toHaveLength(RACE.people);
    expect(stored.rows.every((row) => row.originals === "1")).toBe(true);

    // Claims: every queued lead claimed, none twice, each with one move to sending.
    const claimed = reports.flatMap((report) => report.claimed);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect([...claimed].sort()).toEqual(queued.map((lead) => lead.id).sort());
    expect(reports.filter((report) => report.claimed.length > 0).length).toBeGreaterThan(1);
    const moves = await admin.query<{ moves: string }>(
      `SELECT COUNT(*) AS moves FROM "${schema}".lead_events
       WHERE to_state = 'sending' AND lead_id = ANY($1::text[]) GROUP BY lead_id`,
      [queued.map((lead) => lead.id)],
    );
    expect(moves.rows).toHaveLength(RACE.queuedLeads);
    expect(moves.rows.every((row) => row.moves === "1")).toBe(true);
  });
});
