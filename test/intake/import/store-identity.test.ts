/** The store an import checkpoint names: the SQLite file's real path, or PostgreSQL without credentials. */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config/schema.js";
import { storeIdentity } from "../../../src/intake/import/index.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function config(store: unknown, tier = "standard") {
  return configSchema.parse({
    tier,
    clay: {
      workspaces: [
        { name: "main", tables: [{ name: "leads", webhooks: [{ url: "http://127.0.0.1:9/x" }] }] },
      ],
    },
    callbacks: { baseUrl: "http://127.0.0.1:9", secret: "s".repeat(32) },
    store,
    ...(tier === "queue"
      ? { queue: { redis: { connectionString: "redis://127.0.0.1:6379" } } }
      : {}),
  });
}

describe("storeIdentity", () => {
  it("names a SQLite file by its real path, so a symlink to it is the same store", () => {
    const dir = mkdtempSync(join(tmpdir(), "claypipe-store-id-"));
    dirs.push(dir);
    writeFileSync(join(dir, "a.db"), "");
    symlinkSync(join(dir, "a.db"), join(dir, "link.db"));
    const a = storeIdentity(config({ sqlite: { path: join(dir, "a.db") } }));
    expect(storeIdentity(config({ sqlite: { path: join(dir, "link.db") } }))).toBe(a);
    expect(storeIdentity(config({ sqlite: { path: join(dir, "b.db") } }))).not.toBe(a);
  });

  it("names PostgreSQL by host, port, database and schema, never its user or password", () => {
    const identity = storeIdentity(
      config(
        {
          postgres: {
            connectionString: "postgres://claypipe:hunter22@db.internal/leads",
            schema: "s1",
          },
        },
        "queue",
      ),
    );
    expect(identity).toBe("postgres:db.internal:5432/leads/s1");
    expect(identity).not.toContain("hunter22");
  });
});
