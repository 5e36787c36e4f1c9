/**
 * What every Sink promises, whatever is on the far side: a record delivered
 * arrives; the same record twice is one record there (record sinks upsert on
 * the identity, event sinks key on the lead id); a batch gives one result per
 * record, in order; a passing failure is answered retryable and a refusal
 * final, with a reason; close() ends it after use. Each adapter's test file
 * calls it with a factory for the sink and a way to read back what arrived.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Sink, SinkResult } from "../../src/sinks/sink.js";
import { people } from "../stand-ins/sink-records.js";

export interface SinkUnderTest {
  sink: Sink;
  /** The email of every record at the destination, one entry per record there. */
  arrived(): Promise<string[]>;
}

export interface SinkFactory {
  /** A working sink on a fresh, empty destination. */
  open(): Promise<SinkUnderTest>;
  /** A sink whose next delivery fails: a passing failure, or one that needs a person. */
  failing(kind: "retryable" | "final"): Promise<Sink>;
  /**
   * What makes two records one at the destination: the person (record sinks
   * upsert on the identity) or the lead id (event sinks, one event per lead).
   */
  keyedOn: "identity" | "lead";
  /** Ends what open() and failing() started (servers, tables, files), after the sinks are closed. */
  cleanUp(): Promise<void>;
}

const live = () => AbortSignal.timeout(20_000);

export function sinkContract(name: string, factory: SinkFactory): void {
  const opened: Sink[] = [];
  const track = <T extends Sink>(sink: T): T => {
    opened.push(sink);
    return sink;
  };
  const open = async () => {
    const underTest = await factory.open();
    track(underTest.sink);
    return underTest;
  };

  describe(`${name}: the sink contract`, () => {
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((sink) => sink.close()));
      await factory.cleanUp();
    });

    it("delivers a record: ok, and it arrives", async () => {
      const { sink, arrived } = await open();
      const [record] = people(1);
      expect(await sink.deliver([record!], live())).toEqual([{ ok: true }]);
      expect(await arrived()).toEqual(["person0@acme.com"]);
    });

    it("makes the same record delivered twice one record at the destination", async () => {
      const { sink, arrived } = await open();
      const [record] = people(1);
      expect(await sink.deliver([record!], live())).toEqual([{ ok: true }]);
      expect(await sink.deliver([record!], live())).toEqual([{ ok: true }]);
      expect(await arrived()).toEqual(["person0@acme.com"]);
    });

    it("makes the same record twice within one batch one record, with a result for each", async () => {
      const { sink, arrived } = await open();
      if (sink.maxBatch < 2) return;
      const [record] = people(1);
      expect(await sink.deliver([record!, record!], live())).toEqual([{ ok: true }, { ok: true }]);
      expect(await arrived()).toEqual(["person0@acme.com"]);
    });

    const replay = factory.keyedOn === "identity" ? "one record" : "one event per lead";
    it(`makes the same person under a new lead id ${replay}`, async () => {
      const { sink, arrived } = await open();
      const [first] = people(1);
      const [again] = people(1);
      expect(again!.leadId).not.toBe(first!.leadId);
      expect(await sink.deliver([first!], live())).toEqual([{ ok: true }]);
      expect(await sink.deliver([again!], live())).toEqual([{ ok: true }]);
      expect(await arrived()).toEqual(
        factory.keyedOn === "identity"
          ? ["person0@acme.com"]
          : ["person0@acme.com", "person0@acme.com"],
      );
    });

    it("throws when the caller has aborted, and delivers nothing", async () => {
      const { sink, arrived } = await open();
      const reason = new Error("stop");
      await expect(sink.deliver(people(1), AbortSignal.abort(reason))).rejects.toBe(reason);
      expect(await arrived()).toEqual([]);
    });

    it("delivers batches of up to maxBatch, one result per record, and every record arrives", async () => {
      const { sink, arrived } = await open();
      expect(sink.maxBatch).toBeGreaterThanOrEqual(1);
      const records = people(5);
      for (let at = 0; at < records.length; at += sink.maxBatch) {
        const batch = records.slice(at, at + sink.maxBatch);
        expect(await sink.deliver(batch, live())).toEqual(batch.map(() => ({ ok: true })));
      }
      expect((await arrived()).sort()).toEqual(records.map((record) => record.row.email).sort());
    });

    it("answers a passing failure as retryable, with a reason, one result per record", async () => {
      const sink = track(await factory.failing("retryable"));
      const records = people(Math.min(2, sink.maxBatch));
      const results = await sink.deliver(records, live());
      expect(results).toHaveLength(records.length);
      for (const result of results) expectFailure(result, true);
    });

    it("answers a refusal that needs a person as final, with a reason, one result per record", async () => {
      const sink = track(await factory.failing("final"));
      const records = people(Math.min(2, sink.maxBatch));
      const results = await sink.deliver(records, live());
      expect(results).toHaveLength(records.length);
      for (const result of results) expectFailure(result, false);
    });

    it("closes after use, and after no use at all", async () => {
      const used = await factory.open();
      expect(await used.sink.deliver(people(1), live())).toEqual([{ ok: true }]);
      await expect(used.sink.close()).resolves.toBeUndefined();
      const unused = await factory.open();
      await expect(unused.sink.close()).resolves.toBeUndefined();
    });
  });
}

function expectFailure(result: SinkResult | undefined, retryable: boolean): void {
  expect(result).toMatchObject({ ok: false, retryable, reason: expect.any(String) });
  expect((result as { reason: string }).reason.length).toBeGreaterThan(0);
}
