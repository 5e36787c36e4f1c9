/**
 * The file sink runs the sink contract on a JSONL file in a temp directory; a
 * file of its own, beside file-sink.test.ts, so the two change independently.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileSinkSchema } from "../../../src/config/sink-schema.js";
import { createFileSink } from "../../../src/sinks/file/file-sink.js";
import { sinkContract } from "../sink-contract.js";

const dirs: string[] = [];

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "claypipe-file-sink-contract-"));
  dirs.push(dir);
  return dir;
}

const sinkAt = (path: string, format: "jsonl" | "csv" = "jsonl") =>
  createFileSink(fileSinkSchema.parse({ name: "out", type: "file", path, format }));

sinkContract("file sink", {
  keyedOn: "lead",
  async open() {
    const path = join(await freshDir(), "leads.jsonl");
    const arrived = async () => {
      if (!existsSync(path)) return [];
      const text = await readFile(path, "utf8");
      return text
        .trimEnd()
        .split("\n")
        .map((line) => String((JSON.parse(line) as { email: unknown }).email));
    };
    return { sink: sinkAt(path), arrived };
  },
  async failing(kind) {
    const dir = await freshDir();
    if (kind === "retryable") {
      // A part of the path is a file: an error of the file system, tried again.
      await writeFile(join(dir, "plain-file"), "not a directory\n");
      return sinkAt(join(dir, "plain-file", "leads.jsonl"));
    }
    // A CSV someone else wrote: appending to it would mix two tables.
    const path = join(dir, "theirs.csv");
    await writeFile(path, "name,phone\nAda,+44 20 0000 0000\n");
    return sinkAt(path, "csv");
  },
  async cleanUp() {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  },
});
