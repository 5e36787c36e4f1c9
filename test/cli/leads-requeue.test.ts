/** `claypipe leads requeue`: a person moves waiting leads on purpose, e.g. to a table added for them. */
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { runCli } from "./run-cli.js";
import { type SeededStore, seededStore, TABLE_LEADS } from "./seeded-store.js";

let seeded: SeededStore | undefined;
afterEach(() => {
  seeded?.cleanup();
  seeded = undefined;
});

async function deferLead(store: Store, id: string, reason: string): Promise<void> {
  await store.leads.admit(
    [
      {
        id,
        source: "api",
        workspace: "main",
        table: "leads",
        identityKey: `email:${id}@example.com`,
        fields: { email: `${id}@example.com` },
        priority: 0,
      },
    ],
    { dedupeSince: 0, now: Date.now() },
  );
  await store.leads.transition(id, "queued", "deferred", {
    reason,
    availableAt: Date.now() + 3_600_000,
  });
}

describe("claypipe leads requeue", () => {
  // Several CLI runs, each a fresh process: slow on a loaded machine.
  it("moves deferred leads to a named table now, filtered by why they wait", async () => {
    seeded = seededStore();
    seeded.writeConfig(
      `${TABLE_LEADS}
        - name: leads2
          webhooks: [{ url: "http://127.0.0.1:9/leads2" }]`,
      "\n  - { name: api, table: leads }",
    );
    await seeded.withStore(async (store) => {
      await deferLead(store, "full1", "no capacity: table full");
      await deferLead(store, "full2", "no capacity: table full");
      await deferLead(store, "capped", "credit cap workspace:main day 2026-01-05 reached");
    });
    const { configPath, env, dir } = seeded;
    // A user's config logs info lines by default: the answer must still stand alone.
    writeFileSync(
      configPath,
      readFileSync(configPath, "utf8").replace("logLevel: warn", "logLevel: info"),
    );
    const requeue = (...flags: string[]) =>
      runCli(["leads", "requeue", ...flags, "-c", configPath], { cwd: dir, env });

    const moved = await requeue("--reason", "no_capacity", "--table", "leads2");
    expect(moved.stdout.trim()).toBe("requeued 2 deferred leads");
    // The human answer only: no info log line beside it.
    expect(moved.stderr).not.toContain('"level":30');
    await seeded.withStore(async (store) => {
      for (const id of ["full1", "full2"]) {
        expect(await store.leads.get(id)).toMatchObject({ state: "queued", table: "leads2" });
        expect((await store.leads.history(id)).at(-1)!.reason).toBe(
          'requeued by a person, to table "main/leads2"',
        );
      }
      expect(await store.leads.get("capped")).toMatchObject({ state: "deferred", table: "leads" });
    });

    const unknown = await requeue("--table", "nope");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no table "nope"');
    const unknownSource = await requeue("--source", "nope");
    expect(unknownSource.code).toBe(1);
    expect(unknownSource.stderr).toContain('no source "nope" in the config');
    const unknownFrom = await requeue("--from-table", "nope");
    expect(unknownFrom.code).toBe(1);
    expect(unknownFrom.stderr).toContain('no table "nope" in the config');
    const badState = await requeue("--state", "dead");
    expect(badState.code).toBe(1);
    expect(badState.stderr).toContain("deferred or retrying");

    expect((await requeue()).stdout.trim()).toBe("requeued 1 deferred lead");
    expect((await requeue()).stdout.trim()).toBe("no deferred leads match");

    // A lead a pre-send rule skipped is sent anyway when a person says so.
    await seeded.withStore(async (store) => {
      await store.leads.admit(
        [
          {
            id: "free-mail",
            source: "api",
            workspace: "main",
            table: "leads",
            identityKey: "email:ada@gmail.com",
            fields: { email: "ada@gmail.com" },
            priority: 0,
            skippedBy: "no_free_mail",
          },
        ],
        { dedupeSince: 0, now: Date.now() },
      );
    });
    expect((await requeue("--state", "skipped")).stdout.trim()).toBe("requeued 1 skipped lead");
    await seeded.withStore(async (store) => {
      expect(await store.leads.get("free-mail")).toMatchObject({ state: "queued" });
    });
  }, 120_000);
});
