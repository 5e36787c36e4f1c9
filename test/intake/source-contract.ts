/**
 * What every Source (src/intake/source.ts) promises, whatever it reads: one
 * record per item in input order with strictly increasing positions; a bad or
 * oversized item is skipped with its reason and reading goes on; empty input
 * yields no lead; an aborted signal stops reading at the next item. Each adapter turns the same
 * items into its own input (a CSV file, JSON Lines, stdin…).
 */
import { describe, expect, it } from "vitest";
import type { LeadRecord } from "../../src/intake/files/lead-record.js";
import type { LeadSource } from "../../src/intake/source.js";

/** One item of input, as the contract means it; the adapter writes it in its format. */
export type SourceItem =
  | { kind: "lead"; email: string; first_name: string; company: string }
  /** A lead whose email is not an address. */
  | { kind: "bad_email"; email: string }
  /** A lead whose encoded item is over the size bound the factory is given. */
  | { kind: "oversized"; email: string };

export interface SourceFactory {
  open(
    items: readonly SourceItem[],
    options: { maxItemBytes: number; signal?: AbortSignal },
  ): Promise<LeadSource>;
}

const MAX_ITEM_BYTES = 512;

const lead = (n: number): SourceItem => ({
  kind: "lead",
  email: `person${n}@acme.example`,
  first_name: `P${n}`,
  company: "Acme",
});

async function collect(source: LeadSource): Promise<LeadRecord[]> {
  const records: LeadRecord[] = [];
  for await (const record of source.records) records.push(record);
  return records;
}

export function sourceContract(name: string, factory: SourceFactory): void {
  describe(`${name}: the source contract`, () => {
    const open = (items: readonly SourceItem[], signal?: AbortSignal) =>
      factory.open(items, { maxItemBytes: MAX_ITEM_BYTES, ...(signal ? { signal } : {}) });

    it("yields one record per item, in input order, at strictly increasing positions", async () => {
      const items = [lead(1), { kind: "bad_email", email: "nope" } as const, lead(2), lead(3)];
      const source = await open(items);
      expect(source.name).not.toBe("");
      expect(source.format).not.toBe("");
      const records = await collect(source);
      expect(records.map((record) => record.ok)).toEqual([true, false, true, true]);
      const positions = records.map((record) => record.line);
      for (let index = 1; index < positions.length; index++) {
        expect(positions[index]).toBeGreaterThan(positions[index - 1]!);
      }
    });

    it("gives a valid item's fields as a validated lead", async () => {
      const [record] = await collect(await open([lead(7)]));
      expect(record).toMatchObject({
        ok: true,
        lead: { email: "person7@acme.example", first_name: "P7", company: "Acme" },
      });
    });

    it("skips a bad item with a reason naming the field, and reads on", async () => {
      const records = await collect(await open([{ kind: "bad_email", email: "nope" }, lead(2)]));
      expect(records[0]).toMatchObject({ ok: false });
      expect(records[0]!.ok === false && records[0]!.reason).toMatch(/email/);
      expect(records[1]).toMatchObject({ ok: true, lead: { email: "person2@acme.example" } });
    });

    it("skips an item over the size bound with a reason, and reads on", async () => {
      const records = await collect(
        await open([lead(1), { kind: "oversized", email: "big@acme.example" }, lead(3)]),
      );
      expect(records.map((record) => record.ok)).toEqual([true, false, true]);
      expect(records[1]!.ok === false && records[1]!.reason).toMatch(/bytes|long|large/i);
    });

    it("yields no lead for empty input: nothing, or an input_invalid error that says so", async () => {
      const read = await collect(await open([])).catch((error: unknown) => error);
      if (Array.isArray(read)) {
        expect(read).toEqual([]);
      } else {
        expect(read).toMatchObject({ name: "ClaypipeError", code: "input_invalid" });
        expect((read as Error).message).toMatch(/no leads|empty/);
      }
    });

    it("stops reading when its signal aborts", async () => {
      const stop = new AbortController();
      const items = Array.from({ length: 2000 }, (_, n) => lead(n));
      const source = await open(items, stop.signal);
      const seen: LeadRecord[] = [];
      const reading = (async () => {
        for await (const record of source.records) {
          seen.push(record);
          if (seen.length === 5) stop.abort();
        }
      })();
      await reading.catch((error: unknown) => {
        expect((error as Error).name).toBe("AbortError");
      });
      expect(seen).toHaveLength(5);
    });
  });
}

/** The item as a CSV row under the header `email,first_name,company`. */
export function csvRow(item: SourceItem, maxItemBytes: number): string {
  switch (item.kind) {
    case "lead":
      return `${item.email},${item.first_name},${item.company}`;
    case "bad_email":
      return `${item.email},,`;
    case "oversized":
      return `${item.email},${"x".repeat(maxItemBytes)},Acme`;
  }
}

/** The item as one JSON Lines line. */
export function jsonLine(item: SourceItem, maxItemBytes: number): string {
  switch (item.kind) {
    case "lead":
      return JSON.stringify({
        email: item.email,
        first_name: item.first_name,
        company: item.company,
      });
    case "bad_email":
      return JSON.stringify({ email: item.email });
    case "oversized":
      return JSON.stringify({ email: item.email, note: "x".repeat(maxItemBytes) });
  }
}
