/**
 * `claypipe import` into the queue tier: a CSV file streamed into the
 * PostgreSQL outbox through the API role, bad lines reported, and a worker
 * sending every good lead — backfill lane behind a web-form lead.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { importLeads } from "../../src/intake/import/index.js";
import { type QueueRig, startQueueRig } from "./queue-rig.js";

let rig: QueueRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe("importing a file into the queue tier", () => {
  it("admits the good lines, reports the bad ones, and a worker delivers every admitted lead", async () => {
    rig = await startQueueRig({
      config: {
        sources: [
          { name: "web-form", priority: 0 },
          { name: "backfill", priority: 10 },
        ],
      },
    });
    const dir = rig.config.stateDir;
    const file = join(dir, "..", "backfill.csv");
    const lines = ["email,company"];
    for (let i = 0; i < 120; i++) lines.push(`backfill${i}@import.example,Acme`);
    lines.splice(40, 0, "not-an-email,Acme");
    writeFileSync(file, `${lines.join("\n")}\n`);

    const summary = await importLeads({
      pipeline: rig.api,
      file,
      source: "backfill",
      batchSize: 50,
    });
    expect(summary).toMatchObject({ read: 121, queued: 120, badLines: 1 });
    expect(readFileSync(`${file}.rejected.csv`, "utf8")).toContain("not-an-email");

    // A web-form lead after the backfill is in the queue already.
    const { accepted } = await rig.api.submit(
      { email: "fresh@form.example" },
      { source: "web-form" },
    );
    const fresh = accepted[0]!.id;
    await rig.startWorker();
    const deadline = Date.now() + 30_000;
    while (rig.sinkRecords().length < 121 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const delivered = rig.sinkRecords().map((record) => String(record.claypipe_id));
    expect(new Set(delivered).size).toBe(121);

    // It waited behind at most the queue's lookahead (plus what the worker held), not the backfill.
    const sentAt = async (id: string) =>
      (await rig!.api.getLead(id))!.history.find((event) => event.to === "sending")!.at;
    const freshSentAt = await sentAt(fresh);
    const backfillBefore = (
      await Promise.all(
        delivered.filter((id) => id !== fresh).map(async (id) => (await sentAt(id)) < freshSentAt),
      )
    ).filter(Boolean).length;
    const { lookahead } = rig.config.queue!;
    expect(backfillBefore).toBeLessThanOrEqual(lookahead + rig.config.sender.concurrency);
  });
});
