/**
 * Emulator faults (issue 3): with Clay losing, doubling and reordering
 * callbacks, going down, answering 429 storms, and a webhook receiver failing
 * for a while, every accepted lead still ends delivered or dead with a
 * reason; no sink gets a lead twice; Clay spends at most one enrichment per
 * person. The whole standard tier runs in this process over real loopback HTTP.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorFaults } from "../../src/emulator/index.js";
import type { BreakerState, PipelineStatus } from "../../src/pipeline/pipeline-api.js";
import { checkOutcome, type FaultsReport } from "./faults-checks.js";
import { type FaultsRig, type FaultsRigOptions, faultLeads, startFaultsRig } from "./faults-rig.js";
import { waitUntilSettled } from "./faults-settle.js";

const LEADS = 200;
const SETTLE_TIMEOUT_MS = 40_000;
/** Longer than a few passes of the inbox loop, which takes in Clay's last callbacks. */
const STABLE_MS = 600;
/** Shifts every scenario's emulator seed, to try other draws of lost and doubled callbacks. */
const SEED_SHIFT = Number(process.env.FAULTS_TEST_SEED_SHIFT ?? 0);

interface Observed {
  /** Every breaker state seen while the scenario ran. */
  breakerStates: Set<BreakerState>;
  finalBreaker: BreakerState;
}

interface Scenario {
  name: string;
  seed: number;
  /** Rig settings besides the seed (sender overrides, Clay's delays and credits). */
  rig?: Omit<FaultsRigOptions, "seed">;
  /** Faults from the first lead on. */
  faults: EmulatorFaults;
  /** Added once a third of the leads reached Clay (durations count from then). */
  midRun: { faults?: EmulatorFaults; receiverFailsMs?: number };
  /** What this scenario must show besides the common checks. */
  verify(report: FaultsReport, observed: Observed): void;
}

const lostDoubledReordered: EmulatorFaults = {
  callbackLostRate: 0.3,
  callbackDuplicateRate: 0.3,
  callbackOutOfOrder: true,
};

const scenarios: Scenario[] = [
  {
    name: "callbacks lost (30%), duplicated (30%) and out of order",
    seed: 11,
    faults: lostDoubledReordered,
    midRun: {},
    verify(report) {
      expect(report.clay.callbacksLost).toBeGreaterThan(0);
      expect(report.clay.callbacksDuplicated).toBeGreaterThan(0);
      // Reconciling through the public API finds every row whose callback was lost.
      expect(report.dead).toEqual({});
    },
  },
  {
    name: "a Clay outage (503) for 3 s mid-run: the breaker opens, then closes",
    seed: 12,
    // One try per send: each 503 reaches the breaker at once, instead of the
    // sender waiting the outage out behind its Retry-After.
    rig: { sender: { maxAttempts: 1 } },
    faults: {},
    midRun: { faults: { outage: { durationMs: 3000, status: 503 } } },
    verify(report, observed) {
      expect(report.clay.faulted).toBeGreaterThan(0);
      expect([...observed.breakerStates]).toContain("open");
      expect(observed.finalBreaker).toBe("closed");
    },
  },
  {
    name: "a 429 storm for 3 s mid-run",
    seed: 13,
    faults: {},
    midRun: { faults: { rateLimitStorm: { durationMs: 3000, retryAfterSeconds: 1 } } },
    verify(report) {
      expect(report.clay.faulted).toBeGreaterThan(0);
      // A 429 says "slower", never "fail": no lead may die of it.
      expect(report.dead).toEqual({});
    },
  },
  {
    name: "all of it at once, and a webhook receiver that fails with 500 for 3 s",
    seed: 14,
    // Callbacks may now beat the sender's own bookkeeping (enrichment can take no time).
    rig: { sender: { maxAttempts: 2 }, enrichment: { minDelayMs: 0, maxDelayMs: 60_000 } },
    faults: { ...lostDoubledReordered, webhookErrorRate: 0.05 },
    midRun: {
      // The outage comes first; the storm fills the two seconds after it.
      faults: {
        ...lostDoubledReordered,
        webhookErrorRate: 0.05,
        outage: { durationMs: 2000 },
        rateLimitStorm: { durationMs: 4000, retryAfterSeconds: 1 },
      },
      receiverFailsMs: 3000,
    },
    verify(report) {
      expect(report.clay.callbacksLost).toBeGreaterThan(0);
      expect(report.clay.faulted).toBeGreaterThan(0);
      expect(report.webhook.failedOnPurpose).toBeGreaterThan(0);
    },
  },
  {
    name: "Clay's credits run out mid-run: the rows it never enriches end dead as no_callback",
    seed: 15,
    // About 160 of the 180 people's enrichments: the rest stall in Clay and never
    // call back. Their leads wait out two deadlines, so the deadline is short.
    rig: { clayCredits: { data: 950 }, callbackDeadline: "1s" },
    faults: {},
    midRun: {},
    verify(report) {
      expect(report.delivered).toBeGreaterThan(0);
      expect(Object.keys(report.dead)).toEqual(["no_callback"]);
    },
  },
];

describe("Clay emulator faults: every lead ends delivered or dead with a reason", () => {
  let rig: FaultsRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it.each(scenarios)(
    "$name",
    async (scenario) => {
      rig = await startFaultsRig({
        ...scenario.rig,
        seed: scenario.seed + SEED_SHIFT,
      });
      const { emulator, receiver } = rig;
      emulator.control.setFaults(scenario.faults);
      const leads = faultLeads(LEADS);
      const people = new Set(leads.map((lead) => lead.email)).size;
      const ids = await rig.submit(leads);
      expect(ids).toHaveLength(LEADS);

      const breakerStates = new Set<BreakerState>();
      let midRunStarted = false;
      const onStatus = (status: PipelineStatus) => {
        for (const breaker of status.breakers) breakerStates.add(breaker.state);
        const sent = emulator.control.snapshot().workspaces[0]!.requests.accepted;
        if (midRunStarted || sent < LEADS / 3) return;
        midRunStarted = true;
        if (scenario.midRun.faults) emulator.control.setFaults(scenario.midRun.faults);
        if (scenario.midRun.receiverFailsMs) receiver.failFor(scenario.midRun.receiverFailsMs);
      };
      const settle = (stableForMs?: number) =>
        waitUntilSettled(rig!.pipeline, {
          ids,
          timeoutMs: SETTLE_TIMEOUT_MS,
          onStatus,
          warnings: rig!.warnings,
          ...(stableForMs === undefined ? {} : { stableForMs }),
        });
      await settle();
      expect(midRunStarted, "the mid-run faults started").toBe(true);
      // Late callbacks still on their way could move a dead lead on: let Clay finish first.
      await emulator.control.idle();
      const status = await settle(STABLE_MS);

      const report = await checkOutcome(rig, ids, people, status);
      const finalBreaker = status.breakers[0]!.state;
      console.info(
        `[clay-faults] ${scenario.name}: ${JSON.stringify({ ...report, breakerStates: [...breakerStates], finalBreaker })}`,
      );
      scenario.verify(report, { breakerStates, finalBreaker });
    },
    60_000,
  );
});
