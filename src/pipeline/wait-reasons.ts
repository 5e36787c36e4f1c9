/**
 * Why a lead waits as deferred, told by the start of its reason: a credit cap
 * (it resumes when the cap's window turns) or no capacity (its table has no
 * webhook or row left, or its workspace or table is gone from the config; it
 * resumes when capacity appears). People and the sweeps pick waiting leads by
 * these kinds.
 */
import { CREDIT_CAP_REASON_PREFIX } from "./credit-budget.js";

export { CREDIT_CAP_REASON_PREFIX };

/** Every capacity deferral's reason starts with this. */
export const NO_CAPACITY_REASON_PREFIX = "no capacity: ";

export const WAIT_KINDS = ["credit_cap", "no_capacity"] as const;
export type WaitKind = (typeof WAIT_KINDS)[number];

/** The reason prefix of a kind of wait. */
export function waitReasonPrefix(kind: WaitKind): string {
  return kind === "credit_cap" ? CREDIT_CAP_REASON_PREFIX : NO_CAPACITY_REASON_PREFIX;
}
