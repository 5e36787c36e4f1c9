/**
 * The pipeline as its callers see it (HTTP server, CLI, library users). One
 * implementation per tier wires the same services to different transports.
 */
import type { BreakerState } from "../clay/breaker/circuit-breaker.js";
import type { PoolCapacity } from "../clay/webhook-pool.js";
import type { LeadIssue } from "../core/lead.js";
import type { LeadState } from "../core/lead-state.js";
import type {
  Credits,
  EnrichedRow,
  LeadEvent,
  LeadListQuery,
  LeadMatch,
  PreviousVersion,
  RefreshFigures,
  SinkDelivery,
  StoredLead,
  WorkerBeat,
} from "../store/store.js";
import type { ConsumerLag, QueueDepth, TopicReplayCounts } from "../transport/transport.js";
import type { CreditHold } from "./credit-holds.js";
import type { PipelineActivity } from "./read-activity.js";
import type { RefreshPlan } from "./refresh-plan.js";
import type { RefreshScheduleStatus } from "./refresh-runs.js";
import type { RequeueFilter, RequeueResult } from "./requeue-leads.js";
import type { WaitingLeads } from "./waiting-leads.js";

export type { BreakerState } from "../clay/breaker/circuit-breaker.js";
export type { PipelineActivity } from "./read-activity.js";
export type { RefreshPlan } from "./refresh-plan.js";
export type { RefreshScheduleStatus } from "./refresh-runs.js";
export type { RequeueFilter } from "./requeue-leads.js";
export type { DeferredGroup, OverdueLead, WaitingLeads } from "./waiting-leads.js";

export interface SubmitOptions {
  /** The intake source's name. @defaultValue the first configured source */
  source?: string;
}

export interface EnrichOptions extends SubmitOptions {
  /** Milliseconds to wait for the enriched row. @defaultValue 300000 */
  timeout?: number;
  signal?: AbortSignal;
}

export interface SubmitResult {
  /**
   * queued: durable in the outbox; duplicate: served by an earlier lead;
   * skipped: an `enrichIf` rule kept it from Clay (no credit); sent: taken by
   * Clay (direct tier, no outbox).
   */
  accepted: Array<{
    index: number;
    id: string;
    state: "queued" | "duplicate" | "skipped" | "sent";
  }>;
  rejected: Array<{ index: number; issues: LeadIssue[] }>;
}

export interface LeadView {
  lead: StoredLead;
  history: LeadEvent[];
  deliveries: SinkDelivery[];
}

/** A lead's view with the earlier version of the same person whose result its `changed` compares to. */
export interface LeadDetail extends LeadView {
  previous?: PreviousVersion;
}

/** A search of the leads, all filters together; pages like `leads.list`. */
export interface LeadSearchQuery {
  /** The person's email, normalized as intake does and looked up by dedupe key. */
  email?: string;
  ids?: string[];
  states?: LeadState[];
  source?: string;
  createdAfter?: number;
  createdBefore?: number;
  /** A bounded partial match on one field: each page scans at most MATCH_SCAN_ROWS leads. */
  match?: LeadMatch;
  cursor?: string;
  limit?: number;
}

export type LeadPage = { leads: StoredLead[]; nextCursor: string | null };

/** Finding leads for a person at a screen (the dashboard's Leads and Waiting views). */
export interface LeadSearch {
  search(query: LeadSearchQuery): Promise<LeadPage>;
  /** The lead with its history, deliveries and the previous version its result compares to. */
  get(id: string): Promise<LeadDetail | undefined>;
}

/** How the receiver answers Clay's HTTP API column. */
export type CallbackAnswer =
  | { status: 200; outcome: "accepted" | "already_done" }
  | { status: 401; reason: "malformed" | "bad_signature" | "expired" }
  | { status: 404; reason: "unknown_lead" }
  | { status: 409; reason: "stale_attempt" };

export interface PipelineStatus {
  tier: string;
  states: Record<LeadState, number>;
  credits: Array<{ scope: string; window: string; used: Credits; limit: Partial<Credits> }>;
  /** Credits saved by dedupe: the estimated cost of each duplicate served from an earlier result. */
  creditsSaved: Credits;
  /** Credits saved by the pre-send rules: the estimated cost of each lead they keep skipped. */
  creditsSavedByRules: Credits;
  /** Leads a credit cap holds as deferred, per time they resume; empty when none. */
  creditHolds: CreditHold[];
  /** Webhook and row capacity left per table. */
  capacity: Array<{ workspace: string; table: string; pool: PoolCapacity }>;
  breakers: Array<{ workspace: string; state: BreakerState }>;
  /** The queue tier's BullMQ queues, one per workspace; empty in the other tiers. */
  queues: QueueDepth[];
  /** The event tier's consumer lag on the incoming topic, per partition; empty in the other tiers. */
  busLag: ConsumerLag[];
  dlq: { leads: number; deliveries: number };
  /** Each refresh schedule: when it runs next and what its last run did; empty without `refresh:`. */
  refresh: RefreshScheduleStatus[];
  /**
   * Running totals (sent, 429s, callbacks, deliveries, dead): the difference of
   * two samples is a rate. The direct tier counts only `sent`.
   */
  activity: PipelineActivity;
}

/**
 * A process running the pipeline on the store, as its latest beat said (every
 * 5 s): its role, machine, process id, and where it answers /healthz and
 * /metrics when it does.
 */
export type WorkerInfo = WorkerBeat;

export interface StartOptions {
  /**
   * Where this process answers its probes (/healthz, /metrics): the API's URL,
   * or a worker's `server.opsPort`; shown with it in the list of live workers.
   * @defaultValue none: the process is listed without one
   */
  opsUrl?: string;
}

export interface ReplayFilter {
  ids?: string[];
  reason?: string;
  source?: string;
  createdAfter?: number;
  createdBefore?: number;
  /** Died at or after this time (ms); for a sink's deliveries, when the delivery died. */
  diedAfter?: number;
  /** Died before this time (ms). */
  diedBefore?: number;
  /** Replay dead sink deliveries of this sink instead of dead leads. */
  sink?: string;
}

export interface ReplayResult {
  replayed: number;
  /**
   * Leads dead as `budget` left dead: their credit caps have no room yet. The
   * earliest time one of those caps opens its next window (ms).
   */
  heldByBudget?: { leads: number; replayableAfter: number };
}

/** A page of the DLQ, filtered like a replay. */
export type DeadLetterQuery = Omit<ReplayFilter, "sink"> & Pick<LeadListQuery, "cursor" | "limit">;

/** A page of dead sink deliveries, filtered like a replay of them. */
export interface DeadDeliveryListQuery {
  sink?: string;
  /** Words of the delivery's last error. */
  reason?: string;
  /** The lead's intake source. */
  source?: string;
  diedAfter?: number;
  diedBefore?: number;
  cursor?: string;
  /** @defaultValue 100 */
  limit?: number;
}

export interface DeadLetters {
  list(query?: DeadLetterQuery): Promise<{ leads: StoredLead[]; nextCursor: string | null }>;
  /** Dead sink deliveries, oldest death first, a page at a time. */
  deliveries(
    query?: DeadDeliveryListQuery,
  ): Promise<{ deliveries: SinkDelivery[]; nextCursor: string | null }>;
  inspect(id: string): Promise<LeadView | undefined>;
  /**
   * Sends dead leads on again. A lead whose enrichment already came back is
   * routed again from its stored result: a replay never spends credits twice.
   */
  replay(filter: ReplayFilter): Promise<ReplayResult>;
  /**
   * Replays what the transport's dead-letter topic holds (the event tier's
   * `dlq.clay`), read as a consumer group of its own until drained: each letter
   * naming a lead still dead for its reason is replayed as `replay` does; the others are
   * counted. Throws in a tier without a dead-letter topic.
   */
  replayTopic(): Promise<TopicReplayCounts>;
  purge(filter: Omit<ReplayFilter, "sink">): Promise<{ purged: number }>;
}

export interface Pipeline {
  /**
   * Validates, dedupes and durably accepts one lead or a batch (an array);
   * resolves once they are written. Indexes in the result refer to the batch.
   */
  submit(leads: unknown, options?: SubmitOptions): Promise<SubmitResult>;
  /** Clay as an API: resolves with the enriched row when its callback arrives (or a duplicate's result). */
  enrich(lead: unknown, options?: EnrichOptions): Promise<EnrichedRow>;
  getLead(id: string): Promise<LeadView | undefined>;
  /** Searches the leads; throws in the direct tier, which keeps no store. */
  readonly leads: LeadSearch;
  /** Verifies the token, writes the callback durably (grouped commits), then answers. */
  receiveCallback(token: string, body: unknown): Promise<CallbackAnswer>;
  readonly deadLetters: DeadLetters;
  /**
   * Sends waiting leads (deferred by default) back to the outbox now: to the
   * table their source sends to today, or to `filter.table`.
   */
  requeue(filter?: RequeueFilter): Promise<RequeueResult>;
  /** Leads that wait: deferred ones, and those awaiting a callback past its deadline. */
  readonly waiting: WaitingLeads;
  /** Re-enrichment on the config's `refresh:` schedules. */
  readonly refresh: {
    /** What a run of the schedule would renew now, with its estimated credits; sends nothing. */
    plan(schedule: string): Promise<RefreshPlan>;
    /** Runs the schedule once now; its cron times stay as they are. */
    runNow(schedule: string): Promise<RefreshFigures>;
  };
  status(): Promise<PipelineStatus>;
  /**
   * Claims the store for this process when it runs the services and the store
   * allows one owner (SQLite): cheap, so a refused second start can be told
   * before it listens. start() claims too.
   */
  claimOwnership(): Promise<void>;
  /**
   * The processes running this pipeline on its store now (standard, queue and
   * event tiers), the most recently started first: each one started and beat
   * within the last 15 s. Throws in the direct tier, which keeps no store.
   */
  workers(): Promise<WorkerInfo[]>;
  /**
   * Starts the background loops (sender, inbox, deliveries, sweepers), and
   * lists this process among the live workers until stop().
   */
  start(options?: StartOptions): Promise<void>;
  /** Stops taking work, lets in-flight work finish, leaves the list of live workers, closes the store. */
  stop(): Promise<void>;
}
