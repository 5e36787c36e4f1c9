/**
 * Replaying from the DLQ view: one row, the ticked rows, or everything the
 * filter matches, then a redirect to the view saying how many moved. A
 * replay moves only what is still dead, so the same replay clicked twice
 * moves nothing the second time. Dead deliveries are replayed per sink: the
 * filter's sink, or every configured sink when it names none.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ClaypipeError } from "../../core/errors.js";
import type { ReplayFilter } from "../../pipeline/pipeline-api.js";
import { type FlashFigures, type FlashKind, flashQuery } from "../flash.js";
import type { FormBody } from "../form-body.js";
import { html } from "../html.js";
import { page } from "../layout.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";
import { type DlqFilter, dlqUrl, readDlqFilter } from "./dlq-filter.js";

export function registerDlqActions(app: FastifyInstance, context: UiContext): void {
  app.post(
    "/ui/dlq/replay",
    { preHandler: context.guard.requireAction(true) },
    async (request, reply) => {
      const body = (request.body ?? {}) as FormBody;
      const filter = readDlqFilter(body);
      const scope = body.scope === "filter" ? "filter" : "ids";
      const ids = (Array.isArray(body.ids) ? body.ids : [body.ids ?? ""]).filter(Boolean);
      // A filter value that did not read would widen "everything matching": refuse, as for a bad sink.
      if (scope === "filter" && filter.issues.length > 0) {
        return refuse(reply, request.uiSession, filter, filter.issues.join("; "), "fix the filter");
      }
      let kind: FlashKind;
      let figures: FlashFigures;
      try {
        if (scope === "ids" && ids.length === 0) {
          kind = "none_chosen";
          figures = { n: 0 };
        } else if (filter.text.kind === "leads") {
          kind = "replayed";
          figures = await replayLeads(context, scope === "ids" ? { ids } : leadFilter(filter));
        } else {
          kind = "replayed_deliveries";
          figures = {
            n: await replayDeliveries(context, filter, scope === "ids" ? ids : undefined),
          };
        }
      } catch (error) {
        // A sink the config does not have: say so on a page, with the way back.
        if (!(error instanceof ClaypipeError && error.code === "input_invalid")) throw error;
        return refuse(reply, request.uiSession, filter, error.message, error.hint ?? "");
      }
      return reply.redirect(dlqUrl("/ui/dlq", filter.text, flashQuery(kind, figures)), 303);
    },
  );
}

/** A page saying why nothing (more) was replayed, with the way back: 400. */
function refuse(
  reply: FastifyReply,
  session: FastifyRequest["uiSession"],
  filter: DlqFilter,
  why: string,
  hint: string,
) {
  const body = html`<p class="error" data-test="replay-refused">Nothing more was replayed: ${why}; ${hint}.</p><p><a href="${dlqUrl("/ui/dlq", filter.text)}">Back to the DLQ</a></p>`;
  return sendHtml(reply, page({ title: "Replay refused", view: "dlq", session }, body), 400);
}

async function replayLeads(context: UiContext, filter: ReplayFilter): Promise<FlashFigures> {
  const result = await context.pipeline.deadLetters.replay(filter);
  return result.heldByBudget
    ? {
        n: result.replayed,
        held: result.heldByBudget.leads,
        until: result.heldByBudget.replayableAfter,
      }
    : { n: result.replayed };
}

function leadFilter(filter: DlqFilter): ReplayFilter {
  const { sink: _deliveriesOnly, ...rest } = filter.query;
  return rest;
}

/** Replays dead deliveries: the picked "sink/leadId" keys, or the filter's matches, sink by sink. */
async function replayDeliveries(
  context: UiContext,
  filter: DlqFilter,
  picked: string[] | undefined,
): Promise<number> {
  const bySink = new Map<string, string[] | undefined>();
  if (picked) {
    for (const key of picked) {
      const slash = key.lastIndexOf("/");
      if (slash <= 0) continue;
      const sink = key.slice(0, slash);
      bySink.set(sink, [...(bySink.get(sink) ?? []), key.slice(slash + 1)]);
    }
  } else {
    const sinks = filter.query.sink
      ? [filter.query.sink]
      : context.config.sinks.map((sink) => sink.name);
    for (const sink of sinks) bySink.set(sink, undefined);
  }
  let replayed = 0;
  for (const [sink, ids] of bySink) {
    const result = await context.pipeline.deadLetters.replay({
      ...(ids ? { ids } : leadFilter(filter)),
      sink,
    });
    replayed += result.replayed;
  }
  return replayed;
}
