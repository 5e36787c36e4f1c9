/**
 * Commented starter configs, for `claypipe init` and `claypipe recommend`.
 * Each must load cleanly once its environment variables are set (tested).
 */

export const SUPPORTED_TIERS = ["direct"] as const;
export type SupportedTier = (typeof SUPPORTED_TIERS)[number];

const HEADER = `# claypipe pipeline definition. Reference: README.md, "Config reference".
# Secrets come from the environment only (your shell, or .env beside this file):
#   CLAY_WEBHOOK_TOKEN   the auth token Clay showed when you created the webhook source (optional)
#   CLAY_API_KEY         Clay public API key, to read results back (optional)
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

export function starterConfig(tier: SupportedTier): string {
  switch (tier) {
    case "direct":
      return DIRECT;
  }
}
