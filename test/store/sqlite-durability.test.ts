/**
 * Kill -9 at a random moment: a child process writes leads and callbacks and
 * prints each id once its commit resolved; after SIGKILL the file is reopened
 * and every printed id must be there, with a history that matches its state.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteStore } from "../../src/store/sqlite/index.js";
import { openSqlite } from "../../src/store/sqlite/sqlite-driver.js";
import { unclaimedCallbacks } from "./unclaimed-callbacks.js";

const writer = join(import.meta.dirname, "fixtures", "durability-writer.ts");

interface Printed {
  leads: string[];
  callbacks: string[];
}

/** Runs the writer until it has printed `lines` commits, then kills it with SIGKILL. */
async function runAndKill(path: string, round: number, lines: number): Promise<Printed> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", writer, path, String(round)],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const printed: Printed = { leads: [], callbacks: [] };
  let stderr = "";
  let buffered = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => {
    child.on("exit", (_code, signal) => resolve(signal));
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split("\n");
    buffered = complete.pop() ?? "";
    for (const line of complete) {
      const [kind, id] = line.split(" ");
      if (kind === "lead" && id) printed.leads.push(id);
      if (kind === "callback" && id) printed.callbacks.push(id);
    }
    if (printed.leads.length + printed.callbacks.length >= lines) child.kill("SIGKILL");
  });
  const signal = await exited;
  expect(signal, `the writer ended by itself:\n${stderr}`).toBe("SIGKILL");
  return printed;
}

describe("the SQLite store after kill -9", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("keeps every commit it acknowledged, consistent, across several crashes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "claypipe-durability-"));
    dirs.push(dir);
    const path = join(dir, "claypipe.db");
    const acknowledged: Printed = { leads: [], callbacks: [] };

    for (let round = 0; round < 3; round++) {
      const lines = 100 + Math.floor(Math.random() * 500);
      const printed = await runAndKill(path, round, lines);
      acknowledged.leads.push(...printed.leads);
      acknowledged.callbacks.push(...printed.callbacks);

      const store = await createSqliteStore({ path });
      try {
        for (const id of acknowledged.leads) {
          const lead = await store.leads.get(id);
          expect(lead, `lead ${id} was acknowledged but is gone`).toBeDefined();
          const history = await store.leads.history(id);
          expect(history[0]).toMatchObject({ from: null, to: "received" });
          for (let step = 1; step < history.length; step++) {
            expect(history[step]?.from).toBe(history[step - 1]?.to);
          }
          expect(history.at(-1)?.to).toBe(lead?.state);
        }
        const inboxLeads = new Set(
          (await unclaimedCallbacks(store, Date.now(), 1_000_000)).map((entry) => entry.leadId),
        );
        for (const id of acknowledged.callbacks)
          expect(inboxLeads.has(id), `callback for ${id} is gone`).toBe(true);
      } finally {
        await store.close();
      }
    }

    const db = openSqlite(path, { readonly: true });
    try {
      expect(db.prepare("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      expect(db.prepare("PRAGMA foreign_key_check").all()).toEqual([]);
      // Every lead, acknowledged or not, has a history ending in its state: its last move,
      // or the state its admission decided when it has not moved since.
      const mismatched = db
        .prepare(
          `SELECT l.id FROM leads l WHERE l.state IS NOT COALESCE(
             (SELECT e.to_state FROM lead_events e WHERE e.lead_id = l.id ORDER BY e.id DESC LIMIT 1),
             l.admitted_state)`,
        )
        .all();
      expect(mismatched).toEqual([]);
      const duplicates = db
        .prepare("SELECT COUNT(*) AS n FROM leads WHERE state = 'duplicate'")
        .get() as { n: number };
      expect(duplicates.n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });
});
