/**
 * A credit cap that holds leads is said plainly: `claypipe status` (text and
 * JSON) and the pipeline's start name the cap, how many leads wait, and the
 * UTC time they resume.
 */
import { afterEach, describe, expect, it } from "vitest";
import { loadConfigFile } from "../../src/config/load-config.js";
import { windowAt } from "../../src/pipeline/credit-windows.js";
import { createStandardPipeline } from "../../src/tiers/standard/create-standard-pipeline.js";
import { captureLogs, WARN } from "../clay/log-capture.js";
import { runCli } from "./run-cli.js";
import { type SeededStore, seededStore, TABLE_LEADS } from "./seeded-store.js";

let seeded: SeededStore | undefined;
afterEach(() => {
  seeded?.cleanup();
  seeded = undefined;
});

describe("leads held by a credit cap", () => {
  it("are shown by status and logged at start, with the cap, their number and when they resume", async () => {
    seeded = seededStore();
    seeded.writeConfig(
      TABLE_LEADS,
      "\n  - { name: api, table: leads }",
      "\n      credits: { daily: { data: 20 } }",
    );
    const now = Date.now();
    const day = windowAt("day", now);
    const resumesAt = new Date(day.end).toISOString();
    const cap = { scope: "workspace:main", window: day.key, limit: { data: 20 } };
    await seeded.withStore(async (store) => {
      const ids = ["sent1", "sent2", "held1", "held2", "held3"];
      await store.leads.admit(
        ids.map((id) => ({
          id,
          source: "api",
          workspace: "main",
          table: "leads",
          identityKey: `email:${id}@example.com`,
          fields: { email: `${id}@example.com` },
          priority: 0,
        })),
        { dedupeSince: 0, now },
      );
      for (const id of ["sent1", "sent2"]) {
        expect((await store.ledger.reserve(id, { actions: 4, data: 10 }, [cap], now)).ok).toBe(
          true,
        );
      }
      for (const id of ["held1", "held2", "held3"]) {
        await store.leads.transition(id, "queued", "deferred", {
          reason: `credit cap workspace:main ${day.key.replace(":", " ")} reached (data 20/20)`,
          availableAt: day.end,
        });
      }
    });
    const { configPath, env, dir } = seeded;
    const said = `3 leads wait as deferred until ${resumesAt} (UTC), held by the workspace:main daily cap (data 20/20); raise the cap in the config to send them sooner`;

    const text = await runCli(["status", "-c", configPath], { cwd: dir, env });
    expect(text.stdout).toContain(said);
    const json = await runCli(["status", "--json", "-c", configPath], { cwd: dir, env });
    expect(JSON.parse(json.stdout).creditHolds).toEqual([
      {
        waiting: 3,
        resumesAt,
        caps: [{ ...cap, used: { actions: 8, data: 20 }, reached: true }],
        held: true,
      },
    ]);

    process.env.CB_SECRET = env.CB_SECRET;
    const { logger, lines } = captureLogs("info");
    const pipeline = await createStandardPipeline(loadConfigFile(configPath), { logger });
    try {
      await pipeline.start();
    } finally {
      await pipeline.stop();
      delete process.env.CB_SECRET;
    }
    expect(
      lines.filter((line) => line.level === WARN && line.creditHold).map((line) => line.msg),
    ).toEqual([said]);
  });

  it("are not said to be held once the cap is raised, and a requeue under a reached cap says they will wait again", async () => {
    seeded = seededStore();
    const capped = (data: number) =>
      seeded!.writeConfig(
        TABLE_LEADS,
        "\n  - { name: api, table: leads }",
        `\n      credits: { daily: { data: ${data} } }`,
      );
    capped(20);
    const now = Date.now();
    const day = windowAt("day", now);
    const resumesAt = new Date(day.end).toISOString();
    const cap = { scope: "workspace:main", window: day.key, limit: { data: 20 } };
    await seeded.withStore(async (store) => {
      await store.leads.admit(
        ["sent1", "sent2", "held1"].map((id) => ({
          id,
          source: "api",
          workspace: "main",
          table: "leads",
          identityKey: `email:${id}@example.com`,
          fields: { email: `${id}@example.com` },
          priority: 0,
        })),
        { dedupeSince: 0, now },
      );
      for (const id of ["sent1", "sent2"]) {
        await store.ledger.reserve(id, { actions: 4, data: 10 }, [cap], now);
      }
      await store.leads.transition("held1", "queued", "deferred", {
        reason: `credit cap workspace:main ${day.key.replace(":", " ")} reached (data 20/20)`,
        availableAt: day.end,
      });
    });
    const { configPath, env, dir } = seeded;

    const requeued = await runCli(
      ["leads", "requeue", "--reason", "credit_cap", "-c", configPath],
      {
        cwd: dir,
        env,
      },
    );
    expect(requeued.stdout).toContain(
      `requeued 1 deferred lead\nthe cap is still reached: they will wait again until ${resumesAt} (UTC)`,
    );
    await seeded.withStore(async (store) => {
      await store.leads.transition("held1", "queued", "deferred", {
        reason: `credit cap workspace:main ${day.key.replace(":", " ")} reached (data 20/20)`,
        availableAt: day.end,
      });
    });

    capped(5000);
    const text = await runCli(["status", "-c", configPath], { cwd: dir, env });
    expect(text.stdout).not.toContain("held by");
    expect(text.stdout).toContain(
      "1 lead waits as deferred by a credit cap; the workspace:main daily cap (data 20/5000) now has room, so they resume at the next capacity check (seconds)",
    );
    const json = await runCli(["status", "--json", "-c", configPath], { cwd: dir, env });
    expect(JSON.parse(json.stdout).creditHolds[0]).toMatchObject({ waiting: 1, held: false });
  });
});
