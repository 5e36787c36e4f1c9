/** The Clay edge: everything that talks to Clay (webhook sender, callback tokens, public API). */

export type { CapacityClaim, CapacityCounters, ReserveResult } from "../store/capacity-counters.js";
export { FileCapacityCounters } from "../store/file/file-capacity-counters.js";
export { MemoryCapacityCounters } from "../store/memory/memory-capacity-counters.js";
export {
  type CallbackClaims,
  type CallbackSigner,
  type CallbackSignerOptions,
  callbackUrl,
  createCallbackSigner,
  type TokenVerification,
} from "./callback-token.js";
export { checkPublicApi, type PublicApiCheckOptions } from "./check-public-api.js";
export {
  createLocalPublicApiLimiter,
  createPublicApiClient,
  type FilterValue,
  type PublicApiClient,
  type PublicApiClientOptions,
  type PublicApiRow,
  type RowPage,
  type RowQuery,
} from "./public-api-client.js";
export { PublicApiError } from "./public-api-errors.js";
export { LocalRateLimiter, type LocalRateLimiterOptions } from "./rate-limit/local-rate-limiter.js";
export type { RateLimiter } from "./rate-limit/rate-limiter.js";
export { RedisRateLimiter, type RedisRateLimiterOptions } from "./rate-limit/redis-rate-limiter.js";
export { type Classification, classifyOutcome } from "./retry-policy.js";
export { buildClayRow, type ClayRow, type ClayRowOptions, MAX_ROW_BYTES } from "./row-payload.js";
export {
  type ClaySender,
  type ClaySenderOptions,
  createClaySender,
  type SendItem,
  type SendOutcome,
} from "./sender.js";
export {
  type PostRowOptions,
  postRow,
  type WebhookOutcome,
} from "./webhook-client.js";
export {
  type CounterCapacity,
  createWebhookPool,
  type PoolCapacity,
  type PoolReservation,
  tableCounterKey,
  type WebhookPool,
  type WebhookPoolOptions,
  webhookCounterKey,
} from "./webhook-pool.js";
