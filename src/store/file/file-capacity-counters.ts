/**
 * Capacity counters in a JSON file under the state directory, for the `direct`
 * tier. The file is read once, when the counters are created, and rewritten
 * atomically (temp file, fsync, rename) on every reservation, before the row is
 * posted, so a crash can only ever overcount.
 *
 * One process at a time: two processes sharing the file would each count from
 * their own copy and undercount. Tiers with several processes keep these
 * counters in their store (SQLite, PostgreSQL) instead.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { ClaypipeError } from "../../core/errors.js";
import {
  type CapacityClaim,
  type CapacityCounters,
  planReservation,
  type ReserveResult,
} from "../capacity-counters.js";

interface CountersFile {
  version: 1;
  counts: Record<string, number>;
}

export class FileCapacityCounters implements CapacityCounters {
  private readonly counts: Map<string, number>;
  // Reservations run one after another, so the file always holds the latest counts.
  private queue: Promise<unknown> = Promise.resolve();

  /** Reads `path` now (a missing file is a fresh start); its directory is created when missing. */
  constructor(private readonly path: string) {
    this.counts = new Map(Object.entries(load(path)));
  }

  tryReserve(claims: readonly CapacityClaim[]): Promise<ReserveResult> {
    const result = this.queue.then(() => this.reserve(claims));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async get(key: string): Promise<number> {
    return this.current(key);
  }

  release(keys: readonly string[]): Promise<void> {
    const result = this.queue.then(() => this.lower(keys));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async reserve(claims: readonly CapacityClaim[]): Promise<ReserveResult> {
    const plan = planReservation(claims, (key) => this.current(key));
    if (!plan.ok) return plan;
    await this.write(
      [...plan.increments].map(([key, increment]) => [key, this.current(key) + increment]),
    );
    return { ok: true };
  }

  private async lower(keys: readonly string[]): Promise<void> {
    const lowered = new Map<string, number>();
    for (const key of keys)
      lowered.set(key, Math.max(0, (lowered.get(key) ?? this.current(key)) - 1));
    await this.write([...lowered]);
  }

  /** Sets the counts and saves them; on a failed save the counts stay as they were. */
  private async write(changes: Array<[string, number]>): Promise<void> {
    const before = changes.map(([key]): [string, number] => [key, this.current(key)]);
    for (const [key, count] of changes) this.counts.set(key, count);
    try {
      await save(this.path, this.counts);
    } catch (thrown) {
      for (const [key, count] of before) this.counts.set(key, count);
      throw new ClaypipeError(
        "state_unavailable",
        `could not write the capacity counters to ${this.path}`,
        {
          hint: "check that the state directory is writable and the disk is not full",
          cause: thrown,
        },
      );
    }
  }

  private current(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

function load(path: string): Record<string, number> {
  let text: string;
  try {
    mkdirSync(dirname(path), { recursive: true });
    text = readFileSync(path, "utf8");
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new ClaypipeError(
      "state_unavailable",
      `could not read the capacity counters at ${path}`,
      {
        hint: "check the state directory's permissions",
        cause: thrown,
      },
    );
  }
  const counts = parseCounters(text);
  if (!counts) {
    // Starting again from zero would undercount and let Clay drop rows: refuse instead.
    throw new ClaypipeError("state_unavailable", `the capacity counters at ${path} are not valid`, {
      hint: "restore the file from a backup; deleting it resets every webhook and table count to zero",
    });
  }
  return counts;
}

function parseCounters(text: string): Record<string, number> | undefined {
  try {
    const value = JSON.parse(text) as Partial<CountersFile>;
    if (value.version !== 1 || typeof value.counts !== "object" || value.counts === null) {
      return undefined;
    }
    const entries = Object.entries(value.counts);
    if (!entries.every(([, count]) => Number.isSafeInteger(count) && count >= 0)) return undefined;
    return Object.fromEntries(entries);
  } catch {
    return undefined;
  }
}

async function save(path: string, counts: Map<string, number>): Promise<void> {
  const file: CountersFile = { version: 1, counts: Object.fromEntries(counts) };
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, "w");
  try {
    await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}
