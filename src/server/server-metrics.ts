/**
 * Prometheus metrics for the server, in a registry of its own (never
 * prom-client's global one, so several servers or tests never share counts).
 * Counters and the duration histogram move with requests; the pipeline gauges
 * are refreshed from `pipeline.status()` on each scrape.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { LEAD_STATES } from "../core/lead-state.js";
import type { PipelineStatus } from "../pipeline/pipeline-api.js";

export interface ServerMetricsOptions {
  /** Where the metrics are registered. @defaultValue a new Registry */
  registry?: Registry;
}

export interface ServerMetrics {
  readonly registry: Registry;
  readonly leadsAccepted: Counter<"source" | "state">;
  readonly leadsRejected: Counter<"source">;
  readonly callbacks: Counter<"outcome">;
  readonly httpRequests: Counter<"method" | "route" | "status">;
  readonly httpDuration: Histogram<"method" | "route">;
  /** Sets the pipeline gauges from a fresh status, dropping series that are gone. */
  observeStatus(status: PipelineStatus): void;
  /** The status could not be read: clears the pipeline gauges and marks them down. */
  observeStatusFailure(): void;
}

export function createServerMetrics(options: ServerMetricsOptions = {}): ServerMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Gauge<L>({ name, help, labelNames, registers });

  const statusUp = gauge(
    "claypipe_status_up",
    "1 when the last scrape could read the pipeline status, else 0",
    [],
  );
  const leads = gauge("claypipe_leads", "Leads in the store, by lifecycle state", ["state"]);
  const dlq = gauge("claypipe_dlq_size", "Dead letters: dead leads and dead sink deliveries", [
    "kind",
  ]);
  const creditsUsed = gauge(
    "claypipe_credits_used",
    "Credits reserved or spent in the current window",
    ["scope", "window", "meter"],
  );
  const creditsLimit = gauge("claypipe_credits_limit", "Credit caps of the current window", [
    "scope",
    "window",
    "meter",
  ]);
  const creditsSaved = gauge("claypipe_credits_saved", "Credits saved by deduplication, all time", [
    "meter",
  ]);
  const creditsSavedByRules = gauge(
    "claypipe_credits_saved_by_rules",
    "Credits the pre-send rules (enrichIf) saved: the estimated cost of the leads they keep skipped",
    ["meter"],
  );
  const breaker = gauge("claypipe_breaker_state", "1 for each workspace's current breaker state", [
    "workspace",
    "state",
  ]);
  const queueJobs = gauge(
    "claypipe_queue_jobs",
    "Jobs in each workspace's BullMQ queue (queue tier), by state",
    ["workspace", "state"],
  );
  const busLag = gauge(
    "claypipe_bus_consumer_lag",
    "Messages a consumer group has not acked, per topic partition (event tier)",
    ["topic", "group", "partition"],
  );
  const tableRows = gauge("claypipe_table_rows_remaining", "Rows a Clay table can still take", [
    "workspace",
    "table",
  ]);
  const webhookSubmissions = gauge(
    "claypipe_webhook_submissions_remaining",
    "Submissions a Clay webhook source can still take",
    ["workspace", "table", "webhook"],
  );
  const statusGauges = [
    leads,
    dlq,
    creditsUsed,
    creditsLimit,
    creditsSaved,
    creditsSavedByRules,
    breaker,
    queueJobs,
    busLag,
    tableRows,
    webhookSubmissions,
  ];

  return {
    registry,
    leadsAccepted: new Counter({
      name: "claypipe_leads_accepted_total",
      help: "Leads accepted at intake, by source and the state they entered (queued, duplicate or skipped)",
      labelNames: ["source", "state"],
      registers,
    }),
    leadsRejected: new Counter({
      name: "claypipe_leads_rejected_total",
      help: "Leads refused at intake because they failed validation",
      labelNames: ["source"],
      registers,
    }),
    callbacks: new Counter({
      name: "claypipe_callbacks_total",
      help: "Clay callbacks received, by outcome (accepted, already_done, or why they were refused)",
      labelNames: ["outcome"],
      registers,
    }),
    httpRequests: new Counter({
      name: "claypipe_http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      registers,
    }),
    httpDuration: new Histogram({
      name: "claypipe_http_request_duration_seconds",
      help: "Time to answer HTTP requests, by method and route pattern",
      labelNames: ["method", "route"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),

    observeStatus(status) {
      for (const metric of statusGauges) metric.reset();
      statusUp.set(1);
      for (const state of LEAD_STATES) leads.set({ state }, status.states[state] ?? 0);
      dlq.set({ kind: "leads" }, status.dlq.leads);
      dlq.set({ kind: "deliveries" }, status.dlq.deliveries);
      for (const { scope, window, used, limit } of status.credits) {
        for (const meter of ["actions", "data"] as const) {
          creditsUsed.set({ scope, window, meter }, used[meter]);
          const cap = limit[meter];
          if (cap !== undefined) creditsLimit.set({ scope, window, meter }, cap);
        }
      }
      creditsSaved.set({ meter: "actions" }, status.creditsSaved.actions);
      creditsSaved.set({ meter: "data" }, status.creditsSaved.data);
      creditsSavedByRules.set({ meter: "actions" }, status.creditsSavedByRules.actions);
      creditsSavedByRules.set({ meter: "data" }, status.creditsSavedByRules.data);
      for (const { workspace, state } of status.breakers) breaker.set({ workspace, state }, 1);
      for (const { workspace, ...counts } of status.queues) {
        for (const [state, jobs] of Object.entries(counts))
          queueJobs.set({ workspace, state }, jobs);
      }
      for (const { topic, group, partition, pending } of status.busLag) {
        busLag.set({ topic, group, partition }, pending);
      }
      for (const { workspace, table, pool } of status.capacity) {
        tableRows.set({ workspace, table }, pool.table.remaining);
        for (const webhook of pool.webhooks) {
          webhookSubmissions.set(
            { workspace, table, webhook: String(webhook.index) },
            webhook.remaining,
          );
        }
      }
    },

    observeStatusFailure() {
      for (const metric of statusGauges) metric.reset();
      statusUp.set(0);
    },
  };
}
