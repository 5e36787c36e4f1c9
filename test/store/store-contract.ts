/**
 * The behaviour every Store adapter must show (SQLite now, PostgreSQL later).
 * Each adapter's test file calls `runStoreContract` with a factory for a
 * fresh, empty store and a cleanup that removes it.
 */
import { afterAll, describe } from "vitest";
import { describeCapacityCounters } from "./capacity-counters-contract.js";
import { describeCallbackInbox } from "./contract/callback-inbox.js";
import { describeCreditLedger } from "./contract/credit-ledger.js";
import { describeDeadDeliveries } from "./contract/dead-deliveries.js";
import { describeDeliveries } from "./contract/deliveries.js";
import type { OpenStore } from "./contract/fixtures.js";
import { describeLeadAdmission } from "./contract/lead-admission.js";
import { describeLeadQueries } from "./contract/lead-queries.js";
import { describeLeadSearch } from "./contract/lead-search.js";
import { describeLeadTransitions } from "./contract/lead-transitions.js";
import { describeLeadVersions } from "./contract/lead-versions.js";
import { describeWorkerRegistry } from "./contract/worker-registry.js";

export type { OpenStore } from "./contract/fixtures.js";

export function runStoreContract(label: string, open: OpenStore): void {
  describe(`${label}: the Store contract`, () => {
    describeLeadAdmission(open);
    describeLeadTransitions(open);
    describeLeadQueries(open);
    describeLeadSearch(open);
    describeLeadVersions(open);
    describeCallbackInbox(open);
    describeCreditLedger(open);
    describeDeliveries(open);
    describeDeadDeliveries(open);
    describeWorkerRegistry(open);

    // The counters suite opens stores itself; they are closed when the contract ends.
    const opened: Array<() => Promise<void>> = [];
    afterAll(async () => {
      for (const cleanup of opened.splice(0)) await cleanup();
    });
    describeCapacityCounters(`${label} counters`, async () => {
      const { store, cleanup } = await open();
      opened.push(cleanup);
      return store.counters;
    });
  });
}
