/** The in-memory circuit breaker (standard tier) against the breaker contract. */
import { CircuitBreaker } from "../../../src/clay/breaker/circuit-breaker.js";
import { breakerContract } from "./breaker-contract.js";

breakerContract("CircuitBreaker", async ({ config, clock, logger }) => {
  return new CircuitBreaker({ config, clock, workspace: "ws", logger });
});
