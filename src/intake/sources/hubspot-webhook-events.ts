/**
 * The events of a HubSpot webhook request (Webhooks API): a JSON array, each
 * event naming its `subscriptionType` and the record's `objectId`. Events carry
 * no contact properties (a propertyChange carries the one that changed), so
 * what intake needs from a batch is the distinct contacts to read.
 *
 * Contact events come as `contact.*`, or from apps on HubSpot's newer platform
 * as `object.*` with `objectTypeId` "0-1" (contacts).
 */
import type { HUBSPOT_CONTACT_EVENTS } from "../../config/source-intake-schema.js";

export type HubspotEventType = (typeof HUBSPOT_CONTACT_EVENTS)[number];

export type HubspotEventBatch =
  /** `skipped`: events of other types or objects, or without a usable objectId. */
  | { ok: true; contactIds: string[]; events: number; skipped: number }
  | { ok: false; message: string };

const CONTACT_OBJECT_TYPE = "0-1";

export function readHubspotEvents(
  body: unknown,
  taken: readonly HubspotEventType[],
): HubspotEventBatch {
  if (!Array.isArray(body)) {
    return { ok: false, message: "The body is not a JSON array of HubSpot webhook events." };
  }
  const wanted = new Set<string>(taken);
  const contactIds = new Set<string>();
  let skipped = 0;
  for (const event of body) {
    const id = contactIdOf(event, wanted);
    if (id === undefined) skipped += 1;
    else contactIds.add(id);
  }
  return { ok: true, contactIds: [...contactIds], events: body.length, skipped };
}

function contactIdOf(event: unknown, wanted: ReadonlySet<string>): string | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const { subscriptionType, objectTypeId, objectId } = event as Record<string, unknown>;
  if (typeof subscriptionType !== "string" || !wanted.has(subscriptionType)) return undefined;
  if (subscriptionType.startsWith("object.") && objectTypeId !== CONTACT_OBJECT_TYPE) {
    return undefined;
  }
  if (typeof objectId === "number" && Number.isSafeInteger(objectId) && objectId > 0) {
    return String(objectId);
  }
  return typeof objectId === "string" && /^[1-9]\d{0,19}$/.test(objectId) ? objectId : undefined;
}
