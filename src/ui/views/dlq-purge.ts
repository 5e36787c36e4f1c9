/**
 * Purging dead leads, in two steps: a page that counts the dead leads the
 * filter matches now and asks to confirm, then the confirmed POST, which
 * carries the time of that count (`asOf`) and deletes only leads dead by then
 * (a lead that died after the count is kept). A POST without the
 * confirmation deletes nothing: it is sent to the confirmation page.
 */
import type { FastifyInstance } from "fastify";
import type { Pipeline, ReplayFilter } from "../../pipeline/pipeline-api.js";
import { flashQuery } from "../flash.js";
import type { FormBody } from "../form-body.js";
import { formatNumber, formatTime } from "../format.js";
import { html } from "../html.js";
import { page } from "../layout.js";
import type { UiContext } from "../ui-context.js";
import { sendHtml } from "../ui-reply.js";
import { type DlqFilter, dlqUrl, first, hiddenFilter, readDlqFilter } from "./dlq-filter.js";

const COUNT_PAGE = 500;

export function registerDlqPurge(app: FastifyInstance, context: UiContext): void {
  const { pipeline, config, clock } = context;

  app.get("/ui/dlq/purge", async (request, reply) => {
    const filter = readDlqFilter({ ...(request.query as object), kind: "leads" });
    const session = request.uiSession;
    const asOf = clock.now();
    const count = await countDead(pipeline, purgeFilter(filter, asOf));
    const admin = session?.role === "admin";
    const body = html`${filter.issues.map((issue) => html`<p class="error">${issue}</p>`)}
<p data-test="purge-count">${formatNumber(count)} dead ${count === 1 ? "lead matches" : "leads match"} this filter as of ${formatTime(asOf)}${describe(filter)}.</p>
<p class="note">Purging deletes them for good, with their history and deliveries. Leads that die after this count are kept.</p>
${
  // A filter with a value that did not read would purge more than was asked: no button then.
  admin && count > 0 && filter.issues.length === 0
    ? html`<form method="post" action="/ui/dlq/purge" class="actions"><input type="hidden" name="_csrf" value="${session.csrfToken}">${hiddenFilter(filter.text)}<input type="hidden" name="asOf" value="${asOf}"><input type="hidden" name="confirm" value="yes"><button type="submit" class="danger" data-test="purge-confirm">Purge ${formatNumber(count)} dead ${count === 1 ? "lead" : "leads"}</button> <a href="${dlqUrl("/ui/dlq", filter.text)}">Cancel</a></form>`
    : html`<p><a href="${dlqUrl("/ui/dlq", filter.text)}">Back to the DLQ</a>${admin ? "" : html` (your key is read-only: purging needs a key from <code>server.apiKeys</code>)`}</p>`
}`;
    return sendHtml(
      reply,
      page({ title: "Purge dead leads", view: "dlq", session, tier: config.tier }, body),
    );
  });

  app.post(
    "/ui/dlq/purge",
    { preHandler: context.guard.requireAction(true) },
    async (request, reply) => {
      const body = (request.body ?? {}) as FormBody;
      const filter = readDlqFilter({ ...body, kind: "leads" });
      const asOf = Number(first(body.asOf));
      const unconfirmed = first(body.confirm) !== "yes" || !Number.isSafeInteger(asOf) || asOf <= 0;
      // Without the confirmation, or with a filter value that did not read: back to the count page.
      if (unconfirmed || filter.issues.length > 0) {
        return reply.redirect(dlqUrl("/ui/dlq/purge", filter.text), 303);
      }
      const { purged } = await pipeline.deadLetters.purge(purgeFilter(filter, asOf));
      return reply.redirect(
        dlqUrl("/ui/dlq", filter.text, flashQuery("purged", { n: purged })),
        303,
      );
    },
  );
}

/** The filter's dead leads that were dead at `asOf`: a dead lead's last move is its death. */
function purgeFilter(filter: DlqFilter, asOf: number): Omit<ReplayFilter, "sink"> {
  const { sink: _leadsOnly, ...rest } = filter.query;
  const before = asOf + 1;
  return { ...rest, diedBefore: Math.min(rest.diedBefore ?? before, before) };
}

async function countDead(pipeline: Pipeline, filter: Omit<ReplayFilter, "sink">): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const listed = await pipeline.deadLetters.list({
      ...filter,
      limit: COUNT_PAGE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    count += listed.leads.length;
    cursor = listed.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return count;
}

function describe(filter: DlqFilter): string {
  const { text } = filter;
  const parts = [
    text.reason && `reason ${text.reason}`,
    text.source && `source ${text.source}`,
    text.diedFrom && `died from ${text.diedFrom}`,
    text.diedTo && `died before ${text.diedTo}`,
  ].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(", ")})` : " (every dead lead)";
}
