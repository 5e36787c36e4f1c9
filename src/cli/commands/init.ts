/** `claypipe init`: writes a commented starter config for a tier, and says what to run next on it. */
import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE } from "../../config/config-defaults.js";
import { SUPPORTED_TIERS, type SupportedTier, starterConfig } from "../../config/starter-config.js";
import { ClaypipeError } from "../../core/errors.js";
import { say } from "../output.js";

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("write a commented starter config")
    .option("--tier <tier>", `one of: ${SUPPORTED_TIERS.join(", ")}`, "direct")
    .option("-o, --output <file>", "where to write it", DEFAULT_CONFIG_FILE)
    .option("--force", "overwrite an existing file")
    .action((options: { tier: string; output: string; force?: boolean }) => {
      if (!(SUPPORTED_TIERS as readonly string[]).includes(options.tier)) {
        throw new ClaypipeError("input_invalid", `unknown tier "${options.tier}"`, {
          hint: `choose one of: ${SUPPORTED_TIERS.join(", ")} (\`claypipe recommend\` helps pick)`,
        });
      }
      const file = resolve(options.output);
      if (existsSync(file) && !options.force) {
        throw new ClaypipeError("input_invalid", `${file} already exists`, {
          hint: "pass --force to overwrite it, or --output <file> to write elsewhere",
        });
      }
      const tier = options.tier as SupportedTier;
      writeFileSync(file, starterConfig(tier));
      say(`wrote ${file} (tier: ${tier})`);
      const configFlag = file === resolve(DEFAULT_CONFIG_FILE) ? "" : ` --config ${options.output}`;
      say(nextSteps(tier, configFlag).join("\n"));
    });
}

/** Each tier's first run, with commands that tier accepts (tested by running them). */
function nextSteps(tier: SupportedTier, configFlag: string): string[] {
  if (tier === "direct") {
    return [
      "next:",
      "  1. put your Clay table's webhook URL in it (clay.workspaces[].tables[].webhooks[].url)",
      "  2. if the webhook source shows an auth token: export CLAY_WEBHOOK_TOKEN=… (or put it in .env beside the config)",
      `  3. claypipe send leads.csv${configFlag}`,
    ];
  }
  const secrets = {
    standard: "CLAYPIPE_CALLBACK_SECRET and CLAYPIPE_API_KEY",
    queue: "CLAYPIPE_CALLBACK_SECRET, CLAYPIPE_API_KEY, DATABASE_URL and REDIS_URL",
    event: "CLAYPIPE_CALLBACK_SECRET, CLAYPIPE_API_KEY, DATABASE_URL, REDIS_URL and NATS_URL",
  }[tier];
  const start = {
    standard: [`  3. claypipe start${configFlag}`],
    queue: [
      `  3. claypipe start --role api${configFlag}      # HTTP intake and Clay's callbacks`,
      `     claypipe start --role worker${configFlag}   # as many as you like, on any machines`,
    ],
    event: [
      `  3. claypipe start --role api${configFlag}        # HTTP intake and Clay's callbacks onto the bus`,
      `     claypipe start --role enricher${configFlag}   # as many as you like: leads.incoming to Clay`,
      `     claypipe start --role router${configFlag}     # as many as you like: enriched.contacts to the sinks`,
      `     (or --role intake and --role receiver apart: set server.port to \${PORT} and PORT per process)`,
    ],
  }[tier];
  return [
    "next:",
    "  1. put your Clay table's webhook URL in it, and callbacks.baseUrl: where Clay's HTTP API column reaches this service",
    `  2. set ${secrets} (export them, or put them in .env beside the config; the config's header says what each is)`,
    ...start,
    "  4. send it leads, from a file:",
    `       claypipe import leads.csv --source csv-backfill${configFlag}`,
    "     or through the API:",
    `       curl -sS 'http://127.0.0.1:8787/v1/leads?source=web-form' -H "Authorization: Bearer $CLAYPIPE_API_KEY" -H 'Content-Type: application/json' -d '{"email":"ada@acme.com"}'`,
    `  5. claypipe status${configFlag}`,
  ];
}
