import { MemoryCapacityCounters } from "../../src/store/memory/memory-capacity-counters.js";
import { describeCapacityCounters } from "./capacity-counters-contract.js";

describeCapacityCounters("MemoryCapacityCounters", async () => new MemoryCapacityCounters());
