/**
 * What every Bus adapter promises, run against a real broker: publish resolves
 * once acked and each message is handled once; one key keeps its order; acks
 * are explicit (a message not acked goes to the next member of the group); a
 * group's members share the work; retries wait their delay; dead letters carry
 * the original and the reason; poison messages never block the topic; lag
 * counts what is not acked; ids dedupe where the broker can; abort resolves.
 * Each test gets a fresh bus and topic prefix from `openBus`. Waits are "until
 * it happened" with a generous limit; the one time check is a lower bound.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Bus,
  type BusMessage,
  type ConsumeOptions,
  DEAD_LETTER_HEADERS,
  type Handler,
  type OutgoingMessage,
} from "../../src/bus/bus.js";
import { CloudEventError, decodeCloudEvent, encodeCloudEvent } from "../../src/bus/cloud-event.js";
import { ClaypipeError } from "../../src/core/errors.js";

export interface OpenedBus {
  bus: Bus;
  /** Prefix for this test's topics and groups (letters, digits, `-`), unique per call. */
  topicPrefix: string;
  /** Deletes what the test created (topics, groups), after the bus is closed. */
  cleanup: () => Promise<void>;
}

const WAIT_MS = 30_000;

export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  limitMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const text = (value: Uint8Array) => new TextDecoder().decode(value);
const bytes = (value: string) => new TextEncoder().encode(value);

/** Messages `name-0`… with the body equal to the name. */
function named(name: string, count: number, key = (index: number) => `k${index}`) {
  return Array.from({ length: count }, (_, index): OutgoingMessage => {
    const body = `${name}-${index}`;
    return { key: key(index), value: bytes(body), id: body };
  });
}

export function busContract(name: string, openBus: () => Promise<OpenedBus>): void {
  describe(`${name}: the bus contract`, { timeout: 60_000 }, () => {
    let opened: OpenedBus;
    let topic: string;
    let dlq: string;
    let group: string;
    const consumers: Array<{ stop: AbortController; done: Promise<void> }> = [];

    beforeEach(async () => {
      opened = await openBus();
      topic = `${opened.topicPrefix}.work`;
      dlq = `${opened.topicPrefix}.dlq`;
      group = `${opened.topicPrefix}-group`;
      await opened.bus.ensureTopics([topic, dlq]);
    });

    afterEach(async () => {
      for (const { stop, done } of consumers.splice(0)) {
        stop.abort();
        await done;
      }
      await opened.bus.close();
      await opened.cleanup();
    });

    /** A member of the group (or of `options.group`); `seen` lists what its handler got. */
    function start(handler: Handler, options: Partial<ConsumeOptions> = {}) {
      const seen: BusMessage[] = [];
      const stop = new AbortController();
      const done = opened.bus.consume(
        { topic, group, deadLetterTopic: dlq, retryDelaysMs: [50], ...options },
        (message, signal) => {
          seen.push(message);
          return handler(message, signal);
        },
        stop.signal,
      );
      consumers.push({ stop, done });
      const bodies = () => seen.map((message) => text(message.value));
      const stopAndWait = async () => {
        stop.abort();
        await done;
      };
      return { seen, bodies, stop: stopAndWait, done };
    }

    const acking: Handler = async () => "ack";
    /** Holds the message until the consumer stops, then fails: the message stays unacked. */
    const holding: Handler = (_message, signal) =>
      new Promise((_resolve, reject) => {
        const fail = () => reject(new Error("stopped"));
        if (signal.aborted) fail();
        else signal.addEventListener("abort", fail, { once: true });
      });

    /** The dead letters so far, read by a group of the test's own. */
    function readDeadLetters() {
      return start(acking, { topic: dlq, group: `${group}-dlq-reader` });
    }

    /** Publishes a marker and waits until `member` got it: all before it was delivered. */
    async function drain(member: ReturnType<typeof start>, label: string) {
      await opened.bus.publish(topic, [{ key: "marker", value: bytes(label) }]);
      await until(`${label} handled`, () => member.bodies().includes(label));
    }

    const totalLag = async () =>
      (await opened.bus.lag(topic, group)).reduce((sum, entry) => sum + entry.pending, 0);

    it("publish resolves once acked; each message is handled once, with its key, id and headers", async () => {
      await opened.bus.publish(topic, [
        ...named("m", 5),
        { key: "h", value: bytes("with-headers"), headers: { "x-trace": "abc" } },
      ]);
      const member = start(acking);
      await until("6 handled", () => member.seen.length >= 6);
      await drain(member, "after");
      expect(member.bodies().sort()).toEqual(
        ["after", "m-0", "m-1", "m-2", "m-3", "m-4", "with-headers"].sort(),
      );
      const first = member.seen.find((message) => text(message.value) === "m-0")!;
      expect(first).toMatchObject({ topic, key: "k0", id: "m-0", deliveryCount: 1 });
      const withHeaders = member.seen.find((message) => message.key === "h")!;
      expect(withHeaders.headers["x-trace"]).toBe("abc");
      await until("lag 0", async () => (await totalLag()) === 0);
    });

    it("refuses a batch holding a message no broker could carry, publishing none of it", async () => {
      const refused = await opened.bus
        .publish(topic, [
          { key: "k", value: bytes("fine") },
          { key: "k", value: bytes("bad"), headers: { "x-note": "two\nlines" } },
        ])
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ClaypipeError);
      expect(refused).toMatchObject({ code: "input_invalid" });
      const member = start(acking);
      await drain(member, "after");
      expect(member.bodies()).toEqual(["after"]);
    });

    it("keeps the order of each key, and handles one key one message at a time", async () => {
      const keys = ["a", "b", "c"];
      const messages = Array.from({ length: 30 }, (_, index): OutgoingMessage => {
        const key = keys[index % keys.length]!;
        return { key, value: bytes(`${key}:${Math.floor(index / keys.length)}`) };
      });
      await opened.bus.publish(topic, messages);
      const busy = new Set<string>();
      let overlapped = false;
      const member = start(
        async (message) => {
          if (busy.has(message.key)) overlapped = true;
          busy.add(message.key);
          await new Promise((resolve) => setTimeout(resolve, 2));
          busy.delete(message.key);
          return "ack";
        },
        { concurrency: 4 },
      );
      await until("30 handled", () => member.seen.length >= 30);
      expect(overlapped).toBe(false);
      for (const key of keys) {
        const order = member
          .bodies()
          .filter((body) => body.startsWith(`${key}:`))
          .map((body) => Number(body.split(":")[1]));
        expect(order).toEqual(Array.from({ length: 10 }, (_, index) => index));
      }
    });

    it("acks explicitly: a message not acked goes to the next member of the group", async () => {
      await opened.bus.publish(topic, [{ key: "k", value: bytes("acked") }]);
      const first = start(async (message, signal) =>
        text(message.value) === "acked" ? "ack" : holding(message, signal),
      );
      await until("acked handled", () => first.bodies().includes("acked"));
      await opened.bus.publish(topic, [{ key: "k", value: bytes("held") }]);
      await until("held handed over", () => first.bodies().includes("held"));
      await first.stop();

      const second = start(acking);
      await until("held handled again", () => second.bodies().includes("held"));
      await drain(second, "after");
      expect(second.bodies()).not.toContain("acked");
    });

    it("shares the work between the members of a group, each message handled once (a partitioned bus: at least once across its rebalance)", async () => {
      const slow: Handler = async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return "ack";
      };
      const one = start(slow);
      const two = start(slow);
      const published: string[] = [];
      // Waves until both members got work: a group may take a while to settle (Kafka rebalance).
      for (let wave = 0; one.seen.length === 0 || two.seen.length === 0; wave++) {
        if (wave === 60) throw new Error("one member got no work in 60 waves");
        const messages = named(`w${wave}`, 10, (index) => `w${wave}-${index}`);
        published.push(...messages.map((message) => text(message.value)));
        await opened.bus.publish(topic, messages);
        // Distinct bodies: a repeat across the rebalance must not stand in for a message not yet handled.
        await until(
          `wave ${wave} handled`,
          () => new Set([...one.bodies(), ...two.bodies()]).size >= published.length,
        );
      }
      const handled = [...one.bodies(), ...two.bodies()];
      if (!opened.bus.capabilities.keyOrderAcrossMembers) {
        expect(handled.sort()).toEqual([...published].sort());
        return;
      }
      // A partitioned bus (Kafka) moves partitions when the second member joins: a message the
      // first handled but had not committed yet goes again. Every message is handled; repeats
      // stay within the waves in flight during a rebalance: the join's, and on a loaded machine
      // one more when a member misses its session timeout and the group rebalances again (seen
      // once in a full run: 14 repeats).
      expect(new Set(handled)).toEqual(new Set(published));
      expect(handled.length - published.length).toBeLessThanOrEqual(20);
    });

    it("retries after the delay the handler asks for, counting deliveries", async () => {
      await opened.bus.publish(topic, [{ key: "k", value: bytes("again") }]);
      const handledAt: number[] = [];
      const member = start(async (message) => {
        handledAt.push(Date.now());
        return message.deliveryCount === 1 ? { retryInMs: 400 } : "ack";
      });
      await until("delivered twice", () => member.seen.length === 2);
      expect(member.seen.map((message) => message.deliveryCount)).toEqual([1, 2]);
      expect(handledAt[1]! - handledAt[0]!).toBeGreaterThanOrEqual(300);
      await until("lag 0", async () => (await totalLag()) === 0);
    });

    it("a handler that throws is retried after retryDelaysMs, then acked", async () => {
      await opened.bus.publish(topic, [{ key: "k", value: bytes("flaky") }]);
      const member = start(async (message) => {
        if (message.deliveryCount < 3) throw new Error("flaky");
        return "ack";
      });
      await until("delivered 3 times", () => member.seen.length === 3);
      expect(member.seen.map((message) => message.deliveryCount)).toEqual([1, 2, 3]);
      await until("lag 0", async () => (await totalLag()) === 0);
    });

    it("dead-letters after maxDeliver, with the original and the reason, and moves on", async () => {
      await opened.bus.publish(topic, [
        { key: "bad", value: bytes("always-fails"), id: "fails-1", headers: { "x-trace": "t1" } },
        { key: "good", value: bytes("fine") },
      ]);
      const member = start(
        async (message) => {
          if (text(message.value) === "always-fails") throw new TypeError("nope");
          return "ack";
        },
        { maxDeliver: 3 },
      );
      const letters = readDeadLetters();
      await until("one dead letter", () => letters.seen.length === 1);
      const letter = letters.seen[0]!;
      expect(text(letter.value)).toBe("always-fails");
      expect(letter.key).toBe("bad");
      expect(letter.headers).toMatchObject({
        "x-trace": "t1",
        [DEAD_LETTER_HEADERS.reason]: "max_deliveries",
        [DEAD_LETTER_HEADERS.topic]: topic,
        [DEAD_LETTER_HEADERS.group]: group,
        [DEAD_LETTER_HEADERS.deliveries]: "3",
        [DEAD_LETTER_HEADERS.error]: "TypeError",
      });
      expect(member.bodies().filter((body) => body === "always-fails")).toHaveLength(3);
      await drain(member, "after");
      expect(member.bodies()).toContain("fine");
      await until("lag 0", async () => (await totalLag()) === 0);
    });

    it("dead-letters at once when the handler says so, with its reason", async () => {
      await opened.bus.publish(topic, [{ key: "k", value: bytes("refused") }]);
      const member = start(async () => ({ deadLetter: "budget" }));
      const letters = readDeadLetters();
      await until("one dead letter", () => letters.seen.length === 1);
      expect(letters.seen[0]!.headers[DEAD_LETTER_HEADERS.reason]).toBe("budget");
      expect(member.seen).toHaveLength(1);
      await until("lag 0", async () => (await totalLag()) === 0);
    });

    it("poison messages (not JSON, over the size bound) go to the dead-letter topic; the topic moves on", async () => {
      const good = encodeCloudEvent({ id: "e1", source: "test", type: "t", data: { ok: true } });
      await opened.bus.publish(topic, [
        { key: "p", value: bytes("{not json"), headers: good.headers },
        { key: "p", value: new Uint8Array(100 * 1024).fill(0x20), headers: good.headers },
        { key: "p", value: good.value, headers: good.headers },
      ]);
      const decoded: unknown[] = [];
      const member = start(async (message) => {
        try {
          decoded.push(decodeCloudEvent(message, { maxBytes: 64 * 1024 }).data);
          return "ack";
        } catch (error) {
          if (error instanceof CloudEventError) return { deadLetter: error.reason };
          throw error;
        }
      });
      const letters = readDeadLetters();
      await until("two dead letters", () => letters.seen.length === 2);
      await until("the good one handled", () => decoded.length === 1);
      expect(
        letters.seen.map((letter) => letter.headers[DEAD_LETTER_HEADERS.reason]).sort(),
      ).toEqual(["bad_json", "too_large"]);
      expect(decoded).toEqual([{ ok: true }]);
      expect(member.seen).toHaveLength(3);
    });

    it("lag counts the messages the group has not acked", async () => {
      await opened.bus.publish(topic, [
        { key: "a", value: bytes("ack-1") },
        { key: "b", value: bytes("hold-1") },
        { key: "c", value: bytes("ack-2") },
        { key: "d", value: bytes("hold-2") },
      ]);
      await until("a new group lags by the whole topic", async () => (await totalLag()) === 4);
      const partial = start(
        async (message, signal) =>
          text(message.value).startsWith("ack") ? "ack" : holding(message, signal),
        { concurrency: 4 },
      );
      await until("all handed over", () => partial.seen.length === 4);
      await until("lag 2", async () => (await totalLag()) === 2);
      await partial.stop();
      expect(await totalLag()).toBe(2);
      const rest = start(acking);
      await until("held ones handled", () => rest.seen.length === 2);
      await until("lag 0", async () => (await totalLag()) === 0);
      await drain(rest, "after");
      expect(rest.bodies().sort()).toEqual(["after", "hold-1", "hold-2"]);
      const lags = await opened.bus.lag(topic, group);
      expect(lags.every((entry) => entry.topic === topic && entry.group === group)).toBe(true);
    });

    it("publishing one id twice stores it once, where the broker dedupes", async (context) => {
      if (!opened.bus.capabilities.dedupeById) context.skip();
      await opened.bus.publish(topic, [{ key: "k", value: bytes("once"), id: "same-id" }]);
      await opened.bus.publish(topic, [{ key: "k", value: bytes("once"), id: "same-id" }]);
      const member = start(acking);
      await drain(member, "after");
      expect(member.bodies().filter((body) => body === "once")).toHaveLength(1);
    });

    it("abort stops consuming: consume resolves, later messages go to the next member", async () => {
      const idle = start(acking);
      await idle.stop();
      const early = new AbortController();
      early.abort();
      await expect(
        opened.bus.consume({ topic, group, deadLetterTopic: dlq }, acking, early.signal),
      ).resolves.toBeUndefined();

      await opened.bus.publish(topic, [{ key: "k", value: bytes("later") }]);
      const next = start(acking);
      await until("later handled by the next member", () => next.bodies().includes("later"));
      expect(idle.seen).toHaveLength(0);
    });
  });
}
