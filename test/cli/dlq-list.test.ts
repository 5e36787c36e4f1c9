/** `claypipe dlq list`: its time filters use the time it shows (when a lead died), and it says why it lists nothing. */
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";
import { type SeededStore, seededStore } from "./seeded-store.js";

const CAME_IN = Date.parse("2026-01-05T08:00:00Z");
const DIED = Date.parse("2026-01-05T10:00:00Z");

let seeded: SeededStore | undefined;
afterEach(() => {
  seeded?.cleanup();
  seeded = undefined;
});

describe("claypipe dlq list", () => {
  // Several CLI runs, each a fresh process: slow on a loaded machine.
  it("filters with --since/--until on when leads died, --created-* on when they came in", async () => {
    seeded = seededStore();
    const id = "lead_dlq_filters_1";
    await seeded.withStore(async (store) => {
      await store.leads.admit(
        [
          {
            id,
            source: "api",
            workspace: "main",
            table: "leads",
            identityKey: "email:ada@acme.example",
            fields: { email: "ada@acme.example" },
            priority: 0,
          },
        ],
        { dedupeSince: 0, now: CAME_IN },
      );
      await store.leads.transition(id, "queued", "dead", { reason: "send_failed" }, DIED);
    });
    const { configPath, env, dir } = seeded;
    const list = (...flags: string[]) =>
      runCli(["dlq", "list", ...flags, "-c", configPath], { cwd: dir, env });

    const all = await list();
    expect(all.stdout).toContain(`${id}  2026-01-05T10:00:00.000Z  api  send_failed`);
    expect((await list("--since", "2026-01-05T09:00:00Z")).stdout).toContain(id);
    expect((await list("--until", "2026-01-05T09:00:00Z")).stdout.trim()).toBe(
      "no dead leads match",
    );
    expect((await list("--created-until", "2026-01-05T09:00:00Z")).stdout).toContain(id);
    expect((await list("--created-since", "2026-01-05T09:00:00Z")).stdout.trim()).toBe(
      "no dead leads match",
    );
    expect((await list("--reason", "no_callback")).stdout.trim()).toBe("no dead leads match");
    const unknownReason = await list("--reason", "nope");
    expect(unknownReason.code).toBe(1);
    expect(unknownReason.stderr).toContain("--reason nope is not a reason leads die for");
    expect(unknownReason.stderr).toContain("no_callback, reconcile_failed");

    await seeded.withStore((store) => store.leads.purge([id]));
    expect((await list()).stdout.trim()).toBe("the DLQ is empty");
  }, 120_000);

  it("refuses a --limit that is not a whole number of at least 1", async () => {
    seeded = seededStore();
    const { configPath, env, dir } = seeded;
    for (const value of ["abc", "0", "-1"]) {
      const result = await runCli(["dlq", "list", "--limit", value, "-c", configPath], {
        cwd: dir,
        env,
      });
      expect(result.stderr).toContain(
        `--limit must be a whole number of at least 1 (got "${value}")`,
      );
      expect(result.stderr).not.toContain("bug in claypipe");
      expect(result.code).not.toBe(0);
    }
  }, 120_000);
});
