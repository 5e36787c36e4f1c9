/** importLeads on a real SQLite store: counts, the bad-line report, and where a run starts. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { ClaypipeError } from "../../../src/core/errors.js";
import { importLeads } from "../../../src/intake/import/index.js";
import { closeRigs, importRig, numberedCsv, storedRows } from "./import-fixture.js";

afterEach(closeRigs);

const MIXED_CSV = [
  "Email,First Name,Company", // 1
  "ada@acme.example,Ada,Acme", // 2
  "grace@navy.example,Grace,Navy", // 3
  "not-an-email,Bad,Acme", // 4
  "", // 5: blank, not a record
  "linus@kernel.example,Linus", // 6: a value short
  "ADA@acme.example,Ada again,Acme", // 7: a repeat of line 2
  '"barbara@mit.example","Barbara ""B"" Liskov","MIT, CSAIL"', // 8
  'margaret@nasa.example,"Margaret', // 9: a quoted value spanning lines
  'Hamilton",NASA', // 10
  ",,", // 11: only commas, not a record
  "nobody,,", // 12
].join("\n");

describe("importLeads", () => {
  it("admits the good lines, counts repeats as duplicates and reports each bad line by its number", async () => {
    const rig = importRig();
    const file = rig.file("leads.csv", `${MIXED_CSV}\n`);
    const summary = await importLeads({
      pipeline: await rig.pipeline(),
      file,
      source: "csv",
      checkpoints: rig.checkpoints,
      batchSize: 2,
    });
    expect(summary).toMatchObject({
      read: 8,
      queued: 4,
      duplicates: 1,
      badLines: 3,
      line: 12,
      stopped: false,
      reportPath: `${file}.rejected.csv`,
      start: { reason: "new" },
    });
    expect(summary.totals).toEqual({
      read: 8,
      queued: 4,
      duplicates: 1,
      skipped: 0,
      badLines: 3,
    });
    expect(summary.badLineSample.map((bad) => bad.line)).toEqual([4, 6, 12]);
    expect(readFileSync(`${file}.rejected.csv`, "utf8")).toBe(
      [
        "line,reason",
        '4,"email: ""not-an-email"" is not a valid email address"',
        '6,"2 values but the header has 3 columns — give every column a value (empty is fine: a,,c)"',
        '12,"email: ""nobody"" is not a valid email address"',
        "",
      ].join("\n"),
    );

    // The store lists leads by creation time, and one batch shares a millisecond: sort by email.
    const stored = (await rig.storedLeads()).sort(
      (a, b) =>
        String(a.fields.email).localeCompare(String(b.fields.email)) ||
        a.state.localeCompare(b.state),
    );
    expect(
      stored.map((lead) => [lead.fields.email, lead.state, lead.source, lead.priority]),
    ).toEqual([
      ["ada@acme.example", "duplicate", "csv", 40],
      ["ada@acme.example", "queued", "csv", 40],
      ["barbara@mit.example", "queued", "csv", 40],
      ["grace@navy.example", "queued", "csv", 40],
      ["margaret@nasa.example", "queued", "csv", 40],
    ]);
    expect(stored[2]!.fields).toMatchObject({
      first_name: 'Barbara "B" Liskov',
      company: "MIT, CSAIL",
    });
    expect(stored[4]!.fields.first_name).toBe("Margaret\nHamilton");
  });

  it("counts the leads a pre-send rule skips apart from queued and duplicates", async () => {
    const rig = importRig({
      enrichIf: [{ name: "no_free_mail", when: 'email_domain != "gmail.com"' }],
    });
    const file = rig.file(
      "leads.jsonl",
      '{"email":"ada@gmail.com"}\n{"email":"grace@navy.example"}\n{"email":"grace@navy.example"}\n',
    );
    const summary = await importLeads({ pipeline: await rig.pipeline(), file, source: "web" });
    expect(summary).toMatchObject({ read: 3, queued: 1, duplicates: 1, skipped: 1 });
    expect(summary.totals).toMatchObject({ queued: 1, duplicates: 1, skipped: 1 });
  });

  it("leaves no report when every line is good, and reads JSON Lines the same way", async () => {
    const rig = importRig();
    const file = rig.file(
      "leads.jsonl",
      '{"email":"ada@acme.example"}\n\n{"email":"grace@navy.example","company":"Navy"}\n',
    );
    const summary = await importLeads({ pipeline: await rig.pipeline(), file, source: "web" });
    expect(summary).toMatchObject({
      read: 2,
      queued: 2,
      badLines: 0,
      line: 3,
      reportPath: undefined,
    });
    expect(existsSync(`${file}.rejected.csv`)).toBe(false);
  });

  it("stops after the batch in flight when aborted, and the next run resumes after it: every lead once, no line skipped", async () => {
    const rig = importRig();
    const bad = new Set([5, 57, 130, 131, 199]);
    const file = rig.file("leads.csv", numberedCsv(200, bad));
    const pipeline = await rig.pipeline();
    const controller = new AbortController();
    let submits = 0;
    const first = await importLeads({
      // Ctrl-C while the third batch is being written: that batch still commits.
      pipeline: {
        submit: (leads, options) => {
          if (++submits === 3) controller.abort();
          return pipeline.submit(leads, options);
        },
      },
      file,
      source: "csv",
      batchSize: 25,
      checkpoints: rig.checkpoints,
      signal: controller.signal,
    });
    // Lines 2–78 hold 75 good leads (lines 5 and 57 are bad) in three batches of 25.
    expect(first).toMatchObject({ stopped: true, line: 78, queued: 75, badLines: 2, read: 77 });
    expect(submits).toBe(3);

    const progress: number[] = [];
    const second = await importLeads({
      pipeline,
      file,
      source: "csv",
      batchSize: 25,
      checkpoints: rig.checkpoints,
      onProgress: (counts) => progress.push(counts.line),
    });
    expect(second.start).toMatchObject({ reason: "resumed", position: { line: 78 } });
    expect(second.start.message).toContain("resuming after line 78");
    expect(second).toMatchObject({
      stopped: false,
      line: 201,
      queued: 120,
      duplicates: 0,
      badLines: 3,
    });
    expect(second.totals).toEqual({
      read: 200,
      queued: 195,
      duplicates: 0,
      skipped: 0,
      badLines: 5,
    });
    expect(progress[0]).toBe(103);

    const good = Array.from({ length: 200 }, (_, i) => i + 2).filter((line) => !bad.has(line));
    const stored = await rig.storedLeads();
    expect(storedRows(stored)).toEqual(good);
    expect(stored.every((lead) => lead.state === "queued")).toBe(true);
    const report = readFileSync(`${file}.rejected.csv`, "utf8").trim().split("\n");
    expect(report.slice(1).map((row) => Number(row.split(",")[0]))).toEqual([...bad]);
  });

  it("reads on while a batch commits, but commits one batch at a time, in file order", async () => {
    const rig = importRig();
    const file = rig.file("leads.csv", numberedCsv(100));
    const pipeline = await rig.pipeline();
    let active = 0;
    let mostActive = 0;
    const firstLines: number[] = [];
    const summary = await importLeads({
      // A slow store: each commit takes a few event-loop turns, in which the file is read on.
      pipeline: {
        submit: async (leads, options) => {
          active++;
          mostActive = Math.max(mostActive, active);
          firstLines.push(Number((leads as Array<{ row: string }>)[0]!.row));
          for (let turn = 0; turn < 5; turn++) await new Promise((done) => setImmediate(done));
          try {
            return await pipeline.submit(leads, options);
          } finally {
            active--;
          }
        },
      },
      file,
      source: "csv",
      batchSize: 10,
      checkpoints: rig.checkpoints,
    });
    expect(mostActive).toBe(1);
    expect(firstLines).toEqual(Array.from({ length: 10 }, (_, batch) => 2 + batch * 10));
    expect(summary).toMatchObject({ queued: 100, line: 101, stopped: false });
    expect(storedRows(await rig.storedLeads())).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 2),
    );
  });

  it("a batch that fails to commit stops the import there: no later batch is submitted", async () => {
    const rig = importRig();
    const file = rig.file("leads.csv", numberedCsv(100, new Set([60])));
    const pipeline = await rig.pipeline();
    let submits = 0;
    const failed = await importLeads({
      pipeline: {
        submit: async (leads, options) => {
          if (++submits === 2) {
            for (let turn = 0; turn < 5; turn++) await new Promise((done) => setImmediate(done));
            throw new Error("the disk is full");
          }
          return pipeline.submit(leads, options);
        },
      },
      file,
      source: "csv",
      batchSize: 20,
      checkpoints: rig.checkpoints,
    }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(ClaypipeError);
    expect((failed as ClaypipeError).message).toContain("stopped at lines 22–41: the disk is full");
    expect((failed as ClaypipeError).hint).toContain("resumes after line 21");
    expect(submits).toBe(2);
    expect(storedRows(await rig.storedLeads())).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 2),
    );
    // The bad line 60 sits in a batch that was read but never committed: not reported yet.
    expect(existsSync(`${file}.rejected.csv`)).toBe(false);

    const resumed = await importLeads({
      pipeline: await rig.pipeline(),
      file,
      source: "csv",
      batchSize: 20,
      checkpoints: rig.checkpoints,
    });
    expect(resumed).toMatchObject({ start: { reason: "resumed" }, queued: 79, badLines: 1 });
  });

  it("a crash between a batch's commit and its checkpoint repeats that batch as duplicates only", async () => {
    const rig = importRig();
    const file = rig.file("leads.csv", numberedCsv(100));
    const pipeline = await rig.pipeline();
    let writes = 0;
    const crashing = {
      ...rig.checkpoints,
      write: async (saved: Parameters<typeof rig.checkpoints.write>[0]) => {
        if (++writes === 3) throw new Error("the process died here");
        await rig.checkpoints.write(saved);
      },
    };
    const crash = await importLeads({
      pipeline,
      file,
      source: "csv",
      batchSize: 20,
      checkpoints: crashing,
    }).catch((error: unknown) => error);
    expect(crash).toBeInstanceOf(Error);

    const resumed = await importLeads({
      pipeline,
      file,
      source: "csv",
      batchSize: 20,
      checkpoints: rig.checkpoints,
    });
    expect(resumed.start.position.line).toBe(41);
    expect(resumed).toMatchObject({ queued: 40, duplicates: 20, line: 101 });
    const stored = await rig.storedLeads();
    expect(stored.filter((lead) => lead.state === "queued")).toHaveLength(100);
    expect(storedRows(stored.filter((lead) => lead.state === "duplicate"))).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 42),
    );
  });

  it("says a finished file is done, starts a changed file over, and --restart ignores the position", async () => {
    const rig = importRig();
    const text = numberedCsv(30, new Set([10]));
    const file = rig.file("leads.csv", text);
    const pipeline = await rig.pipeline();
    const run = (restart = false) =>
      importLeads({ pipeline, file, source: "csv", checkpoints: rig.checkpoints, restart });

    expect(await run()).toMatchObject({ queued: 29, badLines: 1 });
    const again = await run();
    expect(again).toMatchObject({ start: { reason: "already_done" }, read: 0, queued: 0 });
    expect(again.start.message).toContain("--restart");
    expect(again.totals).toMatchObject({ read: 30, queued: 29, badLines: 1 });
    expect(again.reportPath).toBe(`${file}.rejected.csv`);

    rig.file("leads.csv", `${text}lead99@example.com,Late,Acme,99\n`);
    const changed = await run();
    expect(changed.start.reason).toBe("file_changed");
    expect(changed.start.message).toMatch(/size \d+ → \d+ bytes/);
    expect(changed).toMatchObject({ read: 31, queued: 1, duplicates: 29, badLines: 1 });
    expect(readFileSync(`${file}.rejected.csv`, "utf8").trim().split("\n")).toHaveLength(2);

    const restarted = await run(true);
    expect(restarted).toMatchObject({ start: { reason: "restart" }, read: 31, duplicates: 30 });
    expect(restarted.totals.read).toBe(31);
  });

  it("keeps one position per source, refuses an unreadable checkpoint, and reads no stdin", async () => {
    const rig = importRig();
    const file = rig.file("leads.csv", numberedCsv(4));
    const pipeline = await rig.pipeline();
    await importLeads({ pipeline, file, source: "csv", checkpoints: rig.checkpoints });
    const other = await importLeads({
      pipeline,
      file,
      source: "web",
      checkpoints: rig.checkpoints,
    });
    expect(other.start.reason).toBe("new");

    const where = rig.checkpoints.locate(file, "web");
    writeFileSync(where, "{ half a file");
    const thrown = await importLeads({
      pipeline,
      file,
      source: "web",
      checkpoints: rig.checkpoints,
    }).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(ClaypipeError);
    expect((thrown as ClaypipeError).code).toBe("state_unavailable");
    expect((thrown as ClaypipeError).hint).toContain("--restart");
    const restarted = await importLeads({
      pipeline,
      file,
      source: "web",
      checkpoints: rig.checkpoints,
      restart: true,
    });
    expect(restarted).toMatchObject({ read: 4, duplicates: 4 });

    await expect(importLeads({ pipeline, file: "-", source: "csv" })).rejects.toThrow("not stdin");
  });

  it("commits a run of bad lines in batches too, so they are never all held in memory", async () => {
    const rig = importRig();
    const bad = new Set(Array.from({ length: 40 }, (_, i) => i + 2));
    const file = rig.file("leads.csv", numberedCsv(41, bad));
    const progress: Array<[number, number]> = [];
    const summary = await importLeads({
      pipeline: await rig.pipeline(),
      file,
      source: "csv",
      batchSize: 10,
      sampleSize: 3,
      onProgress: (counts) => progress.push([counts.line, counts.badLines]),
    });
    expect(progress).toEqual([
      [11, 10],
      [21, 20],
      [31, 30],
      [41, 40],
      [42, 40],
    ]);
    expect(summary.badLineSample.map((row) => row.line)).toEqual([2, 3, 4]);
    expect(summary).toMatchObject({ badLines: 40, queued: 1 });
  });
});
