/** A network check always ends in time with lines to report, whatever its client does. */
import { describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import { ok } from "../../src/doctor/doctor-report.js";
import { type Probe, runProbe } from "../../src/doctor/probe.js";

function probe(run: Probe["run"]): Probe {
  return { group: "bus", name: "bus.kafka", address: "kafka:9092", hint: "start Kafka", run };
}

describe("runProbe", () => {
  it("passes the check's own lines through", async () => {
    const lines = [ok("bus", "bus.kafka", "Kafka at kafka:9092: 3 topics")];
    expect(
      await runProbe(
        probe(async () => lines),
        1000,
      ),
    ).toEqual(lines);
  });

  it("turns a client that never answers into an error line, and aborts it", async () => {
    let aborted = false;
    const never = probe(
      (signal) =>
        new Promise(() => {
          signal.addEventListener("abort", () => {
            aborted = true;
          });
        }),
    );
    expect(await runProbe(never, 50)).toEqual([
      {
        group: "bus",
        name: "bus.kafka",
        level: "error",
        found: "no answer from kafka:9092 within 50 ms",
        hint: "start Kafka",
      },
    ]);
    expect(aborted).toBe(true);
  });

  it("keeps the hint of a ClaypipeError, e.g. how to install a missing client", async () => {
    const missing = probe(async () => {
      throw new ClaypipeError("config_invalid", "the Kafka bus needs a package", {
        hint: "run scripts/install-kafka-client.sh",
      });
    });
    expect(await runProbe(missing, 1000)).toEqual([
      {
        group: "bus",
        name: "bus.kafka",
        level: "error",
        found: "kafka:9092: the Kafka bus needs a package",
        hint: "run scripts/install-kafka-client.sh",
      },
    ]);
  });
});
