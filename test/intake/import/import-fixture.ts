/**
 * Shared by the import tests: a standard-tier pipeline on a temp SQLite file
 * (never started: importing only admits, nothing is sent), lead files written
 * to a temp folder, and a read of every lead the store holds.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClaypipeConfig, configSchema } from "../../../src/config/schema.js";
import {
  fileCheckpoints,
  type ImportCheckpoints,
  storeIdentity,
} from "../../../src/intake/import/index.js";
import type { Pipeline } from "../../../src/pipeline/pipeline-api.js";
import { createSqliteStore } from "../../../src/store/sqlite/index.js";
import type { StoredLead } from "../../../src/store/store.js";
import { createPipeline } from "../../../src/tiers/create-pipeline.js";

export interface ImportRig {
  dir: string;
  config: ClaypipeConfig;
  checkpoints: ImportCheckpoints;
  /** A pipeline on the rig's store; stopped by `closeRigs`. */
  pipeline(): Promise<Pipeline>;
  /** Writes `text` to a file in the rig's folder and returns its path. */
  file(name: string, text: string): string;
  /** Every lead in the store, oldest first (stops the open pipelines first). */
  storedLeads(): Promise<StoredLead[]>;
}

const open: Array<{ dir: string; pipelines: Pipeline[] }> = [];

/** @param overrides top-level config on top of the rig's (e.g. enrichIf) */
export function importRig(overrides: Record<string, unknown> = {}): ImportRig {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-import-"));
  const pipelines: Pipeline[] = [];
  open.push({ dir, pipelines });
  const config = configSchema.parse({
    tier: "standard",
    clay: {
      workspaces: [
        {
          name: "main",
          // Never called: importing only admits leads to the store.
          tables: [{ name: "leads", webhooks: [{ url: "http://127.0.0.1:9/not-sent" }] }],
        },
      ],
    },
    callbacks: { baseUrl: "http://127.0.0.1:9", secret: randomBytes(32).toString("hex") },
    sources: [{ name: "web" }, { name: "csv", priority: 40 }],
    store: { sqlite: { path: join(dir, "claypipe.db") } },
    stateDir: join(dir, "state"),
    logLevel: "silent",
    ...overrides,
  });
  const stopAll = async () => {
    for (const pipeline of pipelines.splice(0)) await pipeline.stop();
  };
  return {
    dir,
    config,
    checkpoints: fileCheckpoints(join(dir, "state", "imports"), storeIdentity(config)),
    async pipeline() {
      const pipeline = await createPipeline(config);
      pipelines.push(pipeline);
      return pipeline;
    },
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    async storedLeads() {
      await stopAll();
      const store = await createSqliteStore({ path: config.store.sqlite.path });
      try {
        const all: StoredLead[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.leads.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
          all.push(...page.leads);
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        return all;
      } finally {
        await store.close();
      }
    },
  };
}

export async function closeRigs(): Promise<void> {
  for (const { dir, pipelines } of open.splice(0)) {
    for (const pipeline of pipelines) await pipeline.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A CSV of `rows` leads, each with its own email and a `row` column naming its
 * line, so a test can tell which lines reached the store; lines listed in
 * `bad` get an invalid email instead.
 */
export function numberedCsv(rows: number, bad: ReadonlySet<number> = new Set()): string {
  let text = "email,first_name,company,row\n";
  for (let line = 2; line <= rows + 1; line++) {
    const email = bad.has(line) ? `not-an-email-${line}` : `lead${line}@example.com`;
    text += `${email},Lead ${line},Acme,${line}\n`;
  }
  return text;
}

/** The `row` field of each stored lead, in order. */
export function storedRows(leads: StoredLead[]): number[] {
  return leads.map((lead) => Number(lead.fields.row)).sort((a, b) => a - b);
}
