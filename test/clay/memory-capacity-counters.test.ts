import { MemoryCapacityCounters } from "../../src/clay/memory-capacity-counters.js";
import { describeCapacityCounters } from "./capacity-counters-suite.js";

describeCapacityCounters("MemoryCapacityCounters", async () => new MemoryCapacityCounters());
