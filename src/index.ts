/**
 * claypipe as a library. The CLI is a thin caller of these; the emulator has
 * its own entry, `claypipe/emulator`.
 */
export {
  type Recommendation,
  type RecommendInput,
  recommendTier,
} from "./advisor/recommend-tier.js";
export {
  type CallbackSigner,
  type CapacityCounters,
  createCallbackSigner,
  createClaySender,
  createPublicApiClient,
  FileCapacityCounters,
  LocalRateLimiter,
  MemoryCapacityCounters,
  type PublicApiClient,
  type RateLimiter,
  type SendOutcome,
} from "./clay/index.js";
export { DEFAULT_CONFIG_FILE, loadConfigFile, parseConfig } from "./config/load-config.js";
export { resolveTable } from "./config/resolve-table.js";
export { type ClaypipeConfig, type ClaypipeConfigInput, configSchema } from "./config/schema.js";
export { type Clock, systemClock } from "./core/clock.js";
export { ClaypipeError, type ErrorCode } from "./core/errors.js";
export { identityKey, type Lead, type LeadIssue, validateLead } from "./core/lead.js";
export { type LeadRecord, openLeadFile, readCsvLeads, readJsonlLeads } from "./intake/index.js";
export { createDirectPipeline, type DirectPipeline } from "./tiers/direct/direct-pipeline.js";
export type { SendEvent, SendSummary } from "./tiers/direct/send-leads.js";
