/**
 * Commented starter configs, for `claypipe init` and `claypipe recommend`.
 * Each must load cleanly once its environment variables are set (tested).
 */

export const SUPPORTED_TIERS = ["direct", "standard", "queue", "event"] as const;
export type SupportedTier = (typeof SUPPORTED_TIERS)[number];

const HEADER = `# claypipe pipeline definition. Reference: docs/config.md in the claypipe repository.
# Secrets come from the environment only (your shell, or .env beside this file):
#   CLAY_WEBHOOK_TOKEN   the auth token Clay showed when you created the webhook source (optional)
#   CLAY_API_KEY         Clay public API key, to read results back (optional)
`;

const STANDARD = `${HEADER}#   CLAYPIPE_CALLBACK_SECRET  32+ random characters: signs each row's callback URL (openssl rand -hex 32)
#   CLAYPIPE_API_KEY          16+ random characters: Bearer key for POST /v1/leads and the admin API
#
# standard: one process (\`claypipe start\`), state in a SQLite file, results by
# callback. For about 1K–10K leads a day. In the Clay table, add an HTTP API
# column: method POST, URL = the row's callback_url, body = the row's columns,
# retries on (e.g. 5). Turn on auto-dedupe on claypipe_id, so a resend after a
# crash never pays twice.
tier: standard

clay:
  workspaces:
    - name: main
      rateLimit:
        perSecond: 10
        burst: 20
      # At a cap new leads wait as "deferred" and go on by themselves next window.
      credits:
        daily:
          data: 2000
        monthly:
          data: 40000
      costEstimate:        # reserved per lead at send, settled at callback
        actions: 4
        data: 10
      # Lets claypipe look up a row whose callback never came (reconcile).
      # publicApi:
      #   apiKey: \${CLAY_API_KEY}
      tables:
        - name: leads
          # id: t_REPLACE_ME   # needed for reconcile through the public API
          rowLimit: 50000
          capacityMargin: 100
          webhooks:
            - url: https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-REPLACE-ME
              authToken: \${CLAY_WEBHOOK_TOKEN:-}

callbacks:
  baseUrl: https://claypipe.example.com   # where Clay's HTTP API column reaches this service
  secret: \${CLAYPIPE_CALLBACK_SECRET}
  deadline: 30m      # then: reconcile, send once more, or dead-letter as no_callback
  retryOnce: true

sources:             # who sends leads; lower priority numbers are sent first
  - name: web-form
    priority: 0
  - name: csv-backfill
    priority: 10

server:
  host: 0.0.0.0
  port: 8787
  apiKeys:
    - \${CLAYPIPE_API_KEY}

store:
  sqlite:
    path: .claypipe/claypipe.db

dedupe:
  key: identity      # normalized email, else LinkedIn URL, else name + company
  window: 30d

# Pre-send rules: a lead is sent only when every rule holds; any other is kept
# as "skipped" (no credit) and goes only to routes with on: [skipped].
# enrichIf:
#   - name: no_free_mail
#     when: email_domain not in ["gmail.com", "yahoo.com", "hotmail.com"]

routes:
  mode: first        # or "all" to fan out to every matching rule
  rules:
    - name: hot
      when: icp_score >= 80 and work_email
      to: [hot-leads]
  default: [all-leads]

sinks:
  - name: hot-leads
    type: file
    path: out/hot-leads.jsonl
  - name: all-leads
    type: file
    path: out/all-leads.csv
    format: csv

logLevel: info
`;

const DIRECT = `${HEADER}
# direct: one process, no store to run. For ad hoc jobs under ~1K leads a day.
# Results stay in Clay (CRM action, CSV export) or are read back through the
# public API (\`claypipe enrich --wait\`).
tier: direct

clay:
  workspaces:
    - name: main
      # Clay accepts about 10 records/s per workspace with bursts of 20.
      # Every claypipe sender of this workspace stays under it together.
      rateLimit:
        perSecond: 10
        burst: 20
      # Uncomment to read enriched rows back through Clay's public API.
      # publicApi:
      #   apiKey: \${CLAY_API_KEY}
      tables:
        - name: leads
          # id: t_REPLACE_ME      # Clay's table id (in the table's URL), for the public API
          # Clay keeps 50,000 rows per table and silently drops the rest;
          # claypipe stops capacityMargin rows before that, and says so.
          rowLimit: 50000
          capacityMargin: 100
          # A pool: each webhook source takes 50,000 submissions for its lifetime.
          # When one is near its cap the next takes over; add sources before they run out.
          webhooks:
            - url: https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-REPLACE-ME
              authToken: \${CLAY_WEBHOOK_TOKEN:-}

sender:
  concurrency: 4        # rows in flight at once; the rate limit still applies
  maxAttempts: 8        # tries per row on 429, 5xx and network errors
  initialBackoff: 500ms
  maxBackoff: 60s
  requestTimeout: 30s

# Webhook and table counters live here; keep it between runs.
stateDir: .claypipe
logLevel: info
`;

// The queue tier is the standard pipeline with its store and transport swapped: same sources, routes, sinks.
const QUEUE = STANDARD.replace(
  "#   CLAYPIPE_API_KEY          16+ random characters: Bearer key for POST /v1/leads and the admin API\n",
  `#   CLAYPIPE_API_KEY          16+ random characters: Bearer key for POST /v1/leads and the admin API
#   DATABASE_URL              PostgreSQL shared by the API and every worker, e.g. postgres://claypipe@db:5432/claypipe
#   REDIS_URL                 Redis for the queues, e.g. redis://redis:6379/0
`,
)
  .replace(
    /# standard: one process[\s\S]*?tier: standard\n/,
    `# queue: an API process (\`claypipe start --role api\`) and any number of
# workers (\`claypipe start --role worker\`) on any machines, leads in PostgreSQL,
# one BullMQ queue per Clay workspace on Redis. For 10K–50K+ leads a day from
# many sources. The workspace rate limit, breaker, credit caps and webhook/table
# counters hold across all workers. In the Clay table, add an HTTP API column:
# method POST, URL = the row's callback_url, body = the row's columns, retries on
# (e.g. 5). Turn on auto-dedupe on claypipe_id, so a resend never pays twice.
tier: queue
`,
  )
  .replace(
    "store:\n  sqlite:\n    path: .claypipe/claypipe.db\n",
    `store:
  postgres:
    connectionString: \${DATABASE_URL}
    schema: claypipe
    poolSize: 10       # connections per process

queue:
  redis:
    connectionString: \${REDIS_URL}
  prefix: claypipe     # Redis key prefix; one per pipeline sharing a Redis
  lookahead: 20        # jobs waiting per workspace; a fresh lead waits behind at most this many
  lockDuration: 30s    # a worker silent this long loses its jobs to the others
`,
  )
  .replace(
    /sinks:\n[\s\S]*?format: csv\n/,
    `# Every worker delivers: a PostgreSQL table takes all their results safely (one
# row per person, upserted). A file belongs to one process: for files, give each
# worker its own path, e.g. path: out/all-leads-\${WORKER_NAME}.csv with
# WORKER_NAME set per worker (only processes that deliver need it).
sinks:
  - name: hot-leads
    type: postgres
    connectionString: \${DATABASE_URL}
    table: claypipe_hot_leads
  - name: all-leads
    type: postgres
    connectionString: \${DATABASE_URL}
    table: claypipe_all_leads
`,
  );

// The event tier is the queue tier with a message bus as its transport: same store, limits, sources, routes, sinks.
const EVENT = QUEUE.replace(
  "#   REDIS_URL                 Redis for the queues, e.g. redis://redis:6379/0\n",
  `#   REDIS_URL                 Redis for the shared rate limits and breakers, e.g. redis://redis:6379/0
#   NATS_URL                  NATS with JetStream, e.g. nats://nats:4222 (or a bus.kafka section)
`,
)
  .replace(
    /# queue: an API process[\s\S]*?tier: queue\n/,
    `# event: for 50K+ leads a day, four services each scaled on its own
# (\`claypipe start --role <role>\`): intake takes leads in and puts a reference
# to each on the bus (leads.incoming); enrichers (one consumer group) take them,
# keep the workspace rate limit, breaker, credit caps and webhook/table
# counters together, and send to Clay; the receiver puts each row Clay calls
# back with on enriched.contacts; routers read it and deliver to the sinks.
# \`--role api\` is intake and receiver, \`--role worker\` enricher and router.
# Lead state stays in PostgreSQL. In the Clay table, add an HTTP API column: method POST, URL = the
# row's callback_url, body = the row's columns, retries on (e.g. 5). Turn on
# auto-dedupe on claypipe_id, so a resend never pays twice.
tier: event
`,
  )
  .replace(
    /queue:\n {2}redis:[\s\S]*?lockDuration: 30s[^\n]*\n/,
    `queue:               # the event tier keeps its shared rate limits and breakers in Redis
  redis:
    connectionString: \${REDIS_URL}
  prefix: claypipe     # Redis key prefix; one per pipeline sharing a Redis
  lookahead: 20        # lead messages pending per workspace on the bus; the rest wait in PostgreSQL

bus:
  nats:
    servers: \${NATS_URL}
  # kafka:
  #   brokers: [kafka-1:9092]
  topics:
    incoming: leads.incoming
    deadLetters: dlq.clay
    enriched: enriched.contacts
    leadEvents: claypipe.lead-events
`,
  );

export function starterConfig(tier: SupportedTier): string {
  switch (tier) {
    case "direct":
      return DIRECT;
    case "standard":
      return STANDARD;
    case "queue":
      return QUEUE;
    case "event":
      return EVENT;
  }
}
