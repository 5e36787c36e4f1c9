/**
 * Intake: validates leads, applies the pre-send rules (`enrichIf`), keys them
 * for the dedupe gate, and admits them durably to the store as queued,
 * duplicate or skipped (a rule said no: no credit, never sent). A duplicate whose original
 * already has its enriched row is served from it at once: no credit spent,
 * the saving counted, and routing picks it up like any enriched lead.
 */

import { type ResolvedSource, resolveSource } from "../config/resolve-source.js";
import { newLeadId } from "../core/ids.js";
import { type LeadIssue, validateLead } from "../core/lead.js";
import { compileEnrichIf } from "../routing/compile-enrich-if.js";
import type { Admission, NewLead, StoredLead } from "../store/lead-store.js";
import { dedupeKey } from "./dedupe-key.js";
import type { AdmitLeads } from "./grouped-admit.js";
import type { SubmitOptions, SubmitResult } from "./pipeline-api.js";
import type { PipelineContext } from "./pipeline-context.js";

export type IntakeContext = Pick<
  PipelineContext,
  "config" | "store" | "clock" | "logger" | "events"
>;

export interface IntakeService {
  /**
   * Resolves once every valid lead is written. Invalid leads are reported with
   * their index and harm nothing else; an unknown source rejects the whole call.
   */
  submit(inputs: readonly unknown[], options?: SubmitOptions): Promise<SubmitResult>;
  /**
   * Admits a re-enrichment of each stored version, past the dedupe window, in
   * the refresh lane, from the same source: to `sendTo`, else to the version's own table.
   */
  refresh(
    versions: readonly StoredLead[],
    schedule: string,
    sendTo?: { workspace: string; table: string },
  ): Promise<Admission[]>;
}

/** The refresh lane: below every source's priority (0–100), so a refresh never delays a fresh lead. */
export const REFRESH_PRIORITY = 1000;

export interface IntakeServiceOptions {
  /** Writes the admitted leads; a grouped admit shares one commit among concurrent submits. @defaultValue store.leads.admit */
  admit?: AdmitLeads;
}

export function createIntakeService(
  ctx: IntakeContext,
  options: IntakeServiceOptions = {},
): IntakeService {
  const { config, store, clock } = ctx;
  const costOf = new Map(config.clay.workspaces.map((ws) => [ws.name, ws.costEstimate]));
  const preSend = compileEnrichIf(
    config.enrichIf,
    config.sources.map((source) => source.name),
  );
  // The config does not change while the service runs: each source is resolved once.
  const targets = new Map<string | undefined, ResolvedSource>();
  const targetOf = (name: string | undefined): ResolvedSource => {
    let target = targets.get(name);
    if (target === undefined) {
      target = resolveSource(config, name);
      targets.set(name, target);
    }
    return target;
  };

  /** Serves a duplicate from its original's result; false when it must wait for the original. */
  const serveFromOriginal = async (
    admission: Extract<Admission, { state: "duplicate" }>,
    workspace: string,
    now: number,
  ): Promise<boolean> => {
    const result = admission.original.result;
    if (result === null) return false;
    const moved = await store.leads.transition(
      admission.id,
      "duplicate",
      "enriched",
      {
        result,
        availableAt: now,
        reason: `served from the result of lead ${admission.duplicateOf}`,
      },
      now,
    );
    if (!moved) return false;
    await store.ledger.recordSaved(
      admission.id,
      costOf.get(workspace) ?? { actions: 0, data: 0 },
      now,
    );
    ctx.events.emit("enriched", admission.id, result);
    return true;
  };

  return {
    async refresh(versions, schedule, sendTo) {
      if (versions.length === 0) return [];
      const now = clock.now();
      const admit =
        options.admit ??
        ((leads: NewLead[]) =>
          store.leads.admit(leads, { dedupeSince: now - config.dedupe.window, now }));
      return admit(
        versions.map((version) => {
          // The pre-send rules hold for a refresh too: one may have been added since.
          const skippedBy = preSend.skippedBy(version.fields, version.source);
          return {
            ...(skippedBy === undefined ? {} : { skippedBy }),
            id: newLeadId(now),
            source: version.source,
            workspace: sendTo?.workspace ?? version.workspace,
            table: sendTo?.table ?? version.table,
            identityKey: version.identityKey,
            fields: version.fields,
            priority: REFRESH_PRIORITY,
            refreshOf: { leadId: version.id, schedule },
          };
        }),
      );
    },

    async submit(inputs, submitOptions = {}) {
      const target = targetOf(submitOptions.source);
      const now = clock.now();
      const rejected: SubmitResult["rejected"] = [];
      const newLeads: NewLead[] = [];
      const indexes: number[] = [];
      inputs.forEach((input, index) => {
        const validation = validateLead(input);
        if (!validation.ok) {
          rejected.push({ index, issues: validation.issues });
          return;
        }
        const key = dedupeKey(validation.lead, config.dedupe.key);
        if (key === undefined) {
          rejected.push({ index, issues: [NO_KEY] });
          return;
        }
        indexes.push(index);
        const skippedBy = preSend.skippedBy(validation.lead, target.source.name);
        newLeads.push({
          id: newLeadId(now),
          source: target.source.name,
          workspace: target.workspace,
          table: target.table,
          identityKey: key,
          fields: validation.lead,
          priority: target.priority,
          ...(skippedBy === undefined ? {} : { skippedBy }),
        });
      });

      const admissions =
        newLeads.length === 0
          ? []
          : options.admit
            ? await options.admit(newLeads)
            : await store.leads.admit(newLeads, { dedupeSince: now - config.dedupe.window, now });
      const accepted: SubmitResult["accepted"] = [];
      let served = 0;
      // Read after the admit: a grouped admit stamps the leads with its own, later, clock read.
      const servedAt = clock.now();
      for (const [position, admission] of admissions.entries()) {
        accepted.push({ index: indexes[position]!, id: admission.id, state: admission.state });
        if (
          admission.state === "duplicate" &&
          (await serveFromOriginal(admission, target.workspace, servedAt))
        ) {
          served += 1;
        }
      }
      ctx.logger.debug(
        {
          source: target.source.name,
          accepted: accepted.length,
          rejected: rejected.length,
          served,
        },
        "leads admitted",
      );
      return { accepted, rejected };
    },
  };
}

// validateLead already demands an identity, so only a lead that passed it some other way lands here.
const NO_KEY: LeadIssue = {
  path: "",
  reason: "needs an email, a linkedin_url, or a name with a company or domain to be deduplicated",
};
