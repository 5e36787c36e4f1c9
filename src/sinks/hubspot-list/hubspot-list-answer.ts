/**
 * What HubSpot's answer to `PUT /crm/v3/lists/{listId}/memberships/add` means
 * for the contacts it named. HubSpot ignores ids already in the list and lists
 * the ids it could not find in `recordIdsMissing`; every other id is in the
 * list afterwards, added now or before, so it counts as delivered. Refusals
 * of the list itself are final and say what to fix; rate limits, locks and
 * server errors are read as the contact upsert reads them.
 */
import { classifyAnswer, describeHubspotError } from "../hubspot/hubspot-answer.js";
import type { SinkResult } from "../sink.js";

export type MembershipOutcome =
  /** The list holds every id sent except those in `missing`. */
  | { kind: "added"; missing: ReadonlySet<string> }
  /** The same result for every id sent. */
  | { kind: "all"; result: SinkResult; pauseMs?: number };

export function classifyMembershipAnswer(
  status: number,
  headers: Headers,
  body: unknown,
  listId: string,
  now: number,
): MembershipOutcome {
  if (status >= 200 && status < 300) {
    const missing = (body as { recordIdsMissing?: unknown } | null)?.recordIdsMissing;
    return {
      kind: "added",
      missing: new Set(Array.isArray(missing) ? missing.map(String) : []),
    };
  }
  const detail = describeHubspotError(status, body);
  if (status === 401 || status === 403) {
    return final(
      `HubSpot refused to change list ${listId} (${detail}): the access token is invalid or lacks the list scopes: give the private app crm.lists.write and crm.lists.read (and crm.objects.contacts.write) and set the sink's accessToken to its token`,
    );
  }
  if (status === 404) {
    return final(
      `HubSpot has no list ${listId} (${detail}): set the sink's listId to the ILS id of a static contact list`,
    );
  }
  if (status === 400) {
    return final(
      `HubSpot refused to add contacts to list ${listId} (${detail}): the list must be a static contact list (processingType MANUAL or SNAPSHOT); an active list takes no members by API`,
    );
  }
  // No email in this request: classifyAnswer answers the batch as a whole (429, 423, 5xx, other 4xx).
  const outcome = classifyAnswer(status, headers, body, [], now);
  if (outcome.kind === "all") {
    return outcome.pauseMs === undefined
      ? { kind: "all", result: outcome.result }
      : { kind: "all", result: outcome.result, pauseMs: outcome.pauseMs };
  }
  return final(`HubSpot answered ${detail} to a list change`);
}

function final(reason: string): MembershipOutcome {
  return { kind: "all", result: { ok: false, retryable: false, reason } };
}
