/**
 * `claypipe refresh` on a store holding results 100 days old: a dry run lists
 * them and their estimated credits, `--now` sends them to the outbox in the
 * refresh lane, and `status` shows the schedule's next time and last run.
 */
import { afterEach, describe, expect, it } from "vitest";
import { REFRESH_PRIORITY } from "../../src/pipeline/intake-service.js";
import { runCli } from "./run-cli.js";
import { type SeededStore, seededStore, TABLE_LEADS } from "./seeded-store.js";

let seeded: SeededStore | undefined;
afterEach(() => {
  seeded?.cleanup();
  seeded = undefined;
});

const DAY = 86_400_000;
const IDS = ["old1", "old2", "old3"];

describe("claypipe refresh", () => {
  it("lists, runs and reports a schedule", async () => {
    seeded = seededStore();
    seeded.writeConfig(
      TABLE_LEADS,
      `\n  - { name: api, table: leads }\nrefresh:\n  - { name: quarterly, schedule: "0 3 * * 1", olderThan: 90d }`,
    );
    const enrichedAt = Date.now() - 100 * DAY;
    await seeded.withStore(async (store) => {
      await store.leads.admit(
        IDS.map((id) => ({
          id,
          source: "api",
          workspace: "main",
          table: "leads",
          identityKey: `email:${id}@example.com`,
          fields: { email: `${id}@example.com` },
          priority: 0,
        })),
        { dedupeSince: 0, now: enrichedAt },
      );
      for (const id of IDS) {
        await store.leads.transition(id, "queued", "sending", {}, enrichedAt);
        await store.leads.transition(
          id,
          "sending",
          "awaiting_callback",
          { attempt: 1 },
          enrichedAt,
        );
        await store.leads.transition(
          id,
          "awaiting_callback",
          "enriched",
          { result: { title: "VP" } },
          enrichedAt,
        );
        await store.leads.transition(id, "enriched", "delivered", {}, enrichedAt);
      }
    });
    const { configPath, env, dir } = seeded;
    const run = (args: string[]) =>
      runCli(["refresh", ...args, "-c", configPath], { cwd: dir, env });

    const bare = await run([]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain("say what to do: --dry-run or --now");

    const dry = await run(["--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      "schedule quarterly: 3 leads would be re-enriched, about 12 actions and 30 data credits",
    );
    for (const id of IDS) expect(dry.stdout).toContain(id);
    const json = JSON.parse((await run(["--dry-run", "--json"])).stdout);
    expect(json).toMatchObject([
      { schedule: "quarterly", leads: IDS, examined: 3, stoppedBy: null },
    ]);

    const unknown = await run(["--now", "--schedule", "monthly"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no refresh schedule is named "monthly"');
    expect(unknown.stderr).toContain("quarterly");

    const now = await run(["--now"]);
    expect(now.code, now.stderr).toBe(0);
    expect(now.stdout).toContain(
      "schedule quarterly: 3 of 3 stale results sent for re-enrichment, about 12 actions and 30 data credits",
    );
    const refreshes = await seeded.withStore(
      async (store) => (await store.leads.list({ states: ["queued"] })).leads,
    );
    expect(refreshes).toHaveLength(3);
    expect(refreshes.every((lead) => lead.priority === REFRESH_PRIORITY)).toBe(true);
    // Nothing is stale any more: each person has a refresh on its way.
    expect((await run(["--dry-run"])).stdout).toContain("0 leads would be re-enriched");

    const status = await runCli(["status", "-c", configPath], { cwd: dir, env });
    expect(status.stdout).toMatch(
      /refresh schedules\n {2}quarterly {2}next 20\d\d-\d\d-\d\dT03:00:00\.000Z; last: /,
    );
    expect(status.stdout).toContain("3 of 3 stale results sent for re-enrichment");
  });
});
