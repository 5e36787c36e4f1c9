/**
 * `claypipe dlq` with leads dead as `budget` (the event tier's credit
 * refusal): `list` says when each is replayable, `replay` holds them while
 * their caps have no room and says until when, and sends them on once the cap
 * is raised; `--from-topic` needs a tier with a dead-letter topic and takes no
 * filter.
 */
import { afterEach, describe, expect, it } from "vitest";
import { windowAt } from "../../src/pipeline/credit-windows.js";
import { runCli } from "./run-cli.js";
import { type SeededStore, seededStore, TABLE_LEADS } from "./seeded-store.js";

let seeded: SeededStore | undefined;
afterEach(() => {
  seeded?.cleanup();
  seeded = undefined;
});

const SOURCES = "\n  - { name: api, table: leads }";

describe("claypipe dlq with budget refusals", () => {
  // Several CLI runs, each a fresh process: slow on a loaded machine.
  it("lists when each is replayable, and replays it only once its cap has room", async () => {
    seeded = seededStore();
    // Less than one lead's estimate (data 10) a day.
    seeded.writeConfig(TABLE_LEADS, SOURCES, "\n      credits: { daily: { data: 5 } }");
    const opens = windowAt("day", Date.now()).end;
    const id = "lead_dlq_budget_1";
    await seeded.withStore(async (store) => {
      const now = Date.now();
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
        { dedupeSince: 0, now },
      );
      await store.leads.transition(id, "queued", "sending", {}, now);
      await store.leads.transition(
        id,
        "sending",
        "dead",
        { reason: "budget", availableAt: opens },
        now,
      );
    });
    const { configPath, env, dir } = seeded;
    const dlq = (...args: string[]) =>
      runCli(["dlq", ...args, "-c", configPath], { cwd: dir, env });
    const when = new Date(opens).toISOString();

    expect((await dlq("list")).stdout).toContain(`api  budget  replayable after ${when}`);
    const held = await dlq("replay", "--reason", "budget");
    expect(held.stdout).toContain("replayed 0\n");
    expect(held.stdout).toContain(
      `1 lead left dead as \`budget\`: their credit caps have no room before ${when}`,
    );

    const noTopic = await dlq("replay", "--from-topic");
    expect(noTopic.code).toBe(1);
    expect(noTopic.stderr).toContain("the standard tier has no dead-letter topic");
    const filtered = await dlq("replay", "--from-topic", "--reason", "budget");
    expect(filtered.code).toBe(1);
    expect(filtered.stderr).toContain("--from-topic takes no filter");

    // The cap raised: the lead goes.
    seeded.writeConfig(TABLE_LEADS, SOURCES, "\n      credits: { daily: { data: 100 } }");
    expect((await dlq("replay", "--reason", "budget")).stdout.trim()).toBe("replayed 1");
    await seeded.withStore(async (store) => {
      expect((await store.leads.get(id))?.state).toBe("queued");
    });
  }, 120_000);
});
