import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import { FileCapacityCounters } from "../../src/store/file/file-capacity-counters.js";
import { describeCapacityCounters } from "./capacity-counters-contract.js";

const dirs: string[] = [];
function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "claypipe-counters-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describeCapacityCounters(
  "FileCapacityCounters",
  async () => new FileCapacityCounters(join(stateDir(), "capacity.json")),
);

describe("FileCapacityCounters on disk", () => {
  it("keeps counts across instances, as after a restart", async () => {
    const path = join(stateDir(), "nested", "capacity.json");
    const first = new FileCapacityCounters(path);
    await first.tryReserve([
      { key: "webhook:1", limit: 3 },
      { key: "table:a", limit: 10 },
    ]);
    await first.tryReserve([
      { key: "webhook:1", limit: 3 },
      { key: "table:a", limit: 10 },
    ]);

    const second = new FileCapacityCounters(path);
    expect(await second.get("webhook:1")).toBe(2);
    expect(await second.get("table:a")).toBe(2);
    await second.tryReserve([{ key: "webhook:1", limit: 3 }]);
    expect(await second.tryReserve([{ key: "webhook:1", limit: 3 }])).toEqual({
      ok: false,
      exhaustedKey: "webhook:1",
    });
    expect(await new FileCapacityCounters(path).get("webhook:1")).toBe(3);
  });

  it("has written the count by the time a reservation resolves, and leaves no temp file", async () => {
    const dir = stateDir();
    const path = join(dir, "capacity.json");
    const counters = new FileCapacityCounters(path);
    await Promise.all([1, 2, 3].map(() => counters.tryReserve([{ key: "k", limit: 10 }])));
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ version: 1, counts: { k: 3 } });
    expect(readdirSync(dir)).toEqual(["capacity.json"]);
  });

  it("refuses a damaged file rather than counting from zero", () => {
    const path = join(stateDir(), "capacity.json");
    for (const damaged of ["{not json", '{"version":1,"counts":{"k":-1}}', '{"counts":{}}']) {
      writeFileSync(path, damaged);
      expect(() => new FileCapacityCounters(path)).toThrow(ClaypipeError);
    }
  });

  it("reports a failed write and does not count it", async () => {
    const dir = stateDir();
    const path = join(dir, "capacity.json");
    const counters = new FileCapacityCounters(path);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, "a file where the directory was");
    await expect(counters.tryReserve([{ key: "k", limit: 5 }])).rejects.toThrow(/could not write/);
    expect(await counters.get("k")).toBe(0);
    rmSync(dir);
  });
});
