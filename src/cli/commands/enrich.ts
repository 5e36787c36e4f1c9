/** `claypipe enrich --email …`: one lead to Clay; with --wait, its enriched row back. */
import type { Command } from "commander";
import { parseDuration } from "../../core/duration.js";
import { ClaypipeError } from "../../core/errors.js";
import { interruptSignal, loadCommandConfig, withConfigOption } from "../config-option.js";
import { say, warn } from "../output.js";
import { requireDirectTier } from "../require-tier.js";

interface EnrichOptions {
  config: string;
  email?: string;
  field: string[];
  table?: string;
  wait?: boolean;
  timeout: string;
  dedupe: boolean;
}

export function registerEnrich(program: Command): void {
  withConfigOption(
    program
      .command("enrich")
      .description("send one lead to Clay and, with --wait, print the enriched row")
      .option("--email <email>", "the lead's email")
      .option("--field <key=value>", "another field (repeatable)", collect, [])
      .option("-t, --table <name>", "table name, or workspace/table")
      .option("--wait", "wait for the enriched row (reads Clay's public API)")
      .option("--timeout <duration>", "how long --wait waits", "2m")
      .option("--no-dedupe", "send it even when the same lead was sent within dedupe.window"),
  ).action(async (options: EnrichOptions) => {
    const { config, logger } = await loadCommandConfig(options, { sinkVariables: "deferred" });
    requireDirectTier(config, "enrich");
    // Loaded when the command runs, so `--help` loads neither the lead schema nor the tier.
    const { describeLeadIssues, validateLead } = await import("../../core/lead.js");
    const { createDirectPipeline } = await import("../../tiers/direct/direct-pipeline.js");
    const checked = validateLead({
      ...parseFields(options.field),
      ...(options.email ? { email: options.email } : {}),
    });
    if (!checked.ok) {
      throw new ClaypipeError(
        "input_invalid",
        `the lead is not valid: ${describeLeadIssues(checked.issues)}`,
        {
          hint: "pass --email a@b.com, or --field linkedin_url=…, or --field first_name=… --field domain=…",
        },
      );
    }
    const timeoutMs = parseDuration(options.timeout);
    if (timeoutMs === undefined) {
      throw new ClaypipeError("input_invalid", `--timeout "${options.timeout}" is not a duration`, {
        hint: 'write it like "90s" or "5m"',
      });
    }
    const result = await createDirectPipeline(config, { logger }).enrichOne(checked.lead, {
      table: options.table,
      wait: options.wait,
      timeoutMs,
      signal: interruptSignal(),
      dedupe: options.dedupe,
    });
    if ("repeat" in result && result.row) {
      warn(
        `repeat of a lead sent to Clay at ${new Date(result.repeat.sentAt).toISOString()}: its row read back, not sent again (no credit)`,
      );
      say(
        JSON.stringify(
          {
            claypipe_id: result.row.fields.claypipe_id,
            status: result.row.status,
            ...result.row.fields,
          },
          null,
          2,
        ),
      );
      return;
    }
    if ("repeat" in result) {
      say(
        `not sent: the same lead was sent to Clay at ${new Date(result.repeat.sentAt).toISOString()}, within dedupe.window; repeats skipped (no credit)`,
      );
      say("  → its row is in Clay already; pass --no-dedupe to send it again");
      return;
    }
    if (!result.row) {
      say(`sent: claypipe_id ${result.claypipeId}`);
      return;
    }
    say(
      JSON.stringify(
        { claypipe_id: result.claypipeId, status: result.row.status, ...result.row.fields },
        null,
        2,
      ),
    );
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseFields(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf("=");
      if (at <= 0) {
        throw new ClaypipeError("input_invalid", `--field "${pair}" is not key=value`, {
          hint: "write it like --field company=Acme",
        });
      }
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}
