/**
 * A standard-tier config on a temporary SQLite store that a test fills
 * directly, for commands that only read or move what the store holds (no Clay
 * is reached: the webhooks point at a port nobody listens on).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStore } from "../../src/store/sqlite/index.js";
import type { Store } from "../../src/store/store.js";

export interface SeededStore {
  dir: string;
  configPath: string;
  env: Record<string, string>;
  /** Opens the store, runs `work` on it, and closes it again before a command runs. */
  withStore<T>(work: (store: Store) => Promise<T>): Promise<T>;
  /**
   * Writes the config again with these tables (YAML lines under `tables:`), sources, and more
   * of the workspace (YAML lines at its level, e.g. credits).
   */
  writeConfig(tables: string, sources: string, workspace?: string): void;
  cleanup(): void;
}

export const TABLE_LEADS = `
        - name: leads
          webhooks: [{ url: "http://127.0.0.1:9/leads" }]`;

export function seededStore(): SeededStore {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-seeded-"));
  const configPath = join(dir, "claypipe.config.yaml");
  const storePath = join(dir, "claypipe.db");
  const env = { CB_SECRET: randomBytes(32).toString("hex") };
  const writeConfig = (tables: string, sources: string, workspace = "") =>
    writeFileSync(
      configPath,
      `tier: standard
clay:
  workspaces:
    - name: main${workspace}
      tables:${tables}
callbacks:
  baseUrl: http://127.0.0.1:9
  secret: "\${CB_SECRET}"
sources:${sources}
store: { sqlite: { path: ${storePath} } }
logLevel: warn
`,
    );
  writeConfig(TABLE_LEADS, "\n  - { name: api, table: leads }");
  return {
    dir,
    configPath,
    env,
    writeConfig,
    async withStore(work) {
      const store = await createSqliteStore({ path: storePath });
      try {
        return await work(store);
      } finally {
        await store.close();
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
