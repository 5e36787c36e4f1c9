/**
 * The direct tier behind the one Pipeline API, so moving from direct to
 * standard is a config change for library users too. `submit` sends each
 * valid lead to Clay now (no outbox: accepted means Clay took it); `enrich`
 * sends one and reads its row back through Clay's public API. A lead a
 * pre-send rule (enrichIf) turns away is not sent: submit answers `skipped`,
 * enrich refuses it. What needs a
 * lead store — lead views, the DLQ, requeue, callbacks — says so and names
 * the tier that has it.
 */
import { resolveSource } from "../../config/resolve-source.js";
import type { ClaypipeConfig } from "../../config/schema.js";
import { ClaypipeError } from "../../core/errors.js";
import { newLeadId } from "../../core/ids.js";
import { describeLeadIssues, validateLead } from "../../core/lead.js";
import { LEAD_STATES, type LeadState } from "../../core/lead-state.js";
import { skipReason } from "../../core/skip-reason.js";
import type { Pipeline, SubmitResult } from "../../pipeline/pipeline-api.js";
import { sumSubmissions } from "../../pipeline/read-activity.js";
import { createDirectPipeline, type DirectPipelineOptions } from "./direct-pipeline.js";

export function createDirectTierPipeline(
  config: ClaypipeConfig,
  options: DirectPipelineOptions = {},
): Pipeline {
  const direct = createDirectPipeline(config, options);
  const targetOf = (source: string | undefined) => {
    const resolved = resolveSource(config, source);
    return { source: resolved.source.name, table: `${resolved.workspace}/${resolved.table}` };
  };
  const needsStore = (what: string) => async (): Promise<never> => {
    throw new ClaypipeError(
      "config_invalid",
      `the direct tier keeps no lead store, so it has no ${what}`,
      {
        hint: "set tier: standard (a SQLite store in one process) for lead views, the DLQ, requeue and callbacks",
      },
    );
  };

  return {
    async submit(leads, submitOptions = {}) {
      const { source, table } = targetOf(submitOptions.source);
      const inputs = Array.isArray(leads) ? leads : [leads];
      const result: SubmitResult = { accepted: [], rejected: [] };
      // One at a time: the state directory's dedupe memory is read and written per lead.
      for (const [index, input] of inputs.entries()) {
        const validation = validateLead(input);
        if (!validation.ok) {
          result.rejected.push({ index, issues: validation.issues });
          continue;
        }
        if (direct.skippedBy(validation.lead, source) !== undefined) {
          // Like a skipped lead in the other tiers: its own id, nothing sent or paid for.
          result.accepted.push({ index, id: newLeadId(), state: "skipped" });
          continue;
        }
        try {
          const sent = await direct.enrichOne(validation.lead, { table });
          result.accepted.push(
            "repeat" in sent
              ? // Like a duplicate in the other tiers: its own id, nothing sent or paid for.
                { index, id: newLeadId(), state: "duplicate" }
              : { index, id: sent.claypipeId, state: "sent" },
          );
        } catch (error) {
          if (!(error instanceof ClaypipeError) || error.code === "config_invalid") throw error;
          result.rejected.push({
            index,
            issues: [{ path: "", reason: `not sent: ${error.message}` }],
          });
        }
      }
      return result;
    },

    async enrich(lead, enrichOptions = {}) {
      const validation = validateLead(lead);
      if (!validation.ok) {
        throw new ClaypipeError(
          "input_invalid",
          `the lead is not valid: ${describeLeadIssues(validation.issues)}`,
          {
            hint: "send a JSON object with an email, a linkedin_url, or a name with a company or domain",
          },
        );
      }
      const { source, table } = targetOf(enrichOptions.source);
      const rule = direct.skippedBy(validation.lead, source);
      if (rule !== undefined) {
        throw new ClaypipeError(
          "input_invalid",
          `the lead is not sent to Clay: ${skipReason(rule)}`,
          { hint: "change or remove that rule in the config's enrichIf to enrich such leads" },
        );
      }
      const found = await direct.enrichOne(validation.lead, {
        table,
        wait: true,
        timeoutMs: enrichOptions.timeout ?? 300_000,
        ...(enrichOptions.signal ? { signal: enrichOptions.signal } : {}),
      });
      if (!found.row) {
        throw new ClaypipeError("timeout", "Clay has no row for this lead to read back", {
          hint: "a repeat of a lead sent within dedupe.window is read back by its email; give the lead an email",
        });
      }
      return found.row.fields;
    },

    getLead: needsStore("lead views"),
    leads: {
      search: needsStore("leads to search"),
      get: needsStore("lead views"),
    },
    receiveCallback: needsStore("callback receiver"),
    deadLetters: {
      list: needsStore("DLQ"),
      deliveries: needsStore("DLQ"),
      inspect: needsStore("DLQ"),
      replay: needsStore("DLQ"),
      replayTopic: needsStore("DLQ"),
      purge: needsStore("DLQ"),
    },
    requeue: needsStore("waiting leads to requeue"),
    waiting: {
      deferredGroups: needsStore("waiting leads"),
      deferred: needsStore("waiting leads"),
      overdue: needsStore("waiting leads"),
      sweepOverdue: needsStore("waiting leads"),
    },
    refresh: { plan: needsStore("results to refresh"), runNow: needsStore("results to refresh") },
    workers: needsStore("list of live workers"),

    async status() {
      const { capacity } = await direct.status();
      const states = Object.fromEntries(LEAD_STATES.map((state) => [state, 0])) as Record<
        LeadState,
        number
      >;
      return {
        tier: "direct",
        states,
        credits: [],
        creditsSaved: { actions: 0, data: 0 },
        creditsSavedByRules: { actions: 0, data: 0 },
        creditHolds: [],
        capacity,
        breakers: [],
        queues: [],
        busLag: [],
        dlq: { leads: 0, deliveries: 0 },
        refresh: [],
        // Only what the send counters hold: the direct tier keeps no inbox, deliveries or DLQ.
        activity: {
          sent: sumSubmissions(capacity),
          rateLimited: 0,
          callbacks: 0,
          delivered: 0,
          dead: 0,
        },
      };
    },
    // Nothing runs in the background: every call does its work before it resolves.
    claimOwnership: async () => {},
    start: async () => {},
    stop: async () => {},
  };
}
