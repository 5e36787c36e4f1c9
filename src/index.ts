/**
 * claypipe as a library. The CLI is a thin caller of these; the emulator has
 * its own entry, `claypipe/emulator`.
 *
 *   const pipeline = await createPipeline(loadConfigFile("claypipe.config.yaml"));
 *   await pipeline.start();
 *   await pipeline.submit({ email: "ada@acme.com" });            // queued, routed when enriched
 *   const row = await pipeline.enrich({ email: "grace@navy.mil" }, { timeout: 120_000 });
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
export {
  type DoctorCheck,
  type DoctorLevel,
  type DoctorReport,
  doctorExitCode,
} from "./doctor/doctor-report.js";
export { runDoctor } from "./doctor/load-doctor.js";
export type { DoctorOptions } from "./doctor/run-doctor.js";
export {
  type LeadRecord,
  openLeadFile,
  readCsvLeads,
  readJsonlLeads,
} from "./intake/files/index.js";
export { fileCheckpoints } from "./intake/import/import-checkpoint.js";
export type { ImportSummary } from "./intake/import/import-leads.js";
export { importLeads } from "./intake/import/load-import.js";
export type { PipelineOptions } from "./pipeline/assemble-pipeline.js";
export type {
  CallbackAnswer,
  DeadLetters,
  EnrichOptions,
  LeadView,
  Pipeline,
  PipelineActivity,
  PipelineStatus,
  ReplayFilter,
  RequeueFilter,
  StartOptions,
  SubmitOptions,
  SubmitResult,
  WorkerInfo,
} from "./pipeline/pipeline-api.js";
export { compileRoutes, parseExpression, type Router } from "./routing/index.js";
export type { ClaypipeServer, ServerOptions } from "./server/index.js";
export { createServer } from "./server/load-server.js";
export { createSink } from "./sinks/create-sink.js";
export type { Sink, SinkRecord, SinkResult } from "./sinks/sink.js";
export { createSqliteStore } from "./store/sqlite/load-sqlite-store.js";
export type { Store, StoredLead } from "./store/store.js";
export { type CreatePipelineOptions, createPipeline } from "./tiers/create-pipeline.js";
export {
  createDirectPipeline,
  type DirectPipeline,
  type DirectStatus,
  type EnrichOneResult,
} from "./tiers/direct/direct-pipeline.js";
export type { SendEvent, SendSummary, SendTally } from "./tiers/direct/send-leads.js";
export { createQueuePipeline, createStandardPipeline } from "./tiers/load-tier.js";
export type { PipelineRole } from "./tiers/pipeline-role.js";
