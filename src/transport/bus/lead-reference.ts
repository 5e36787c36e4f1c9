/**
 * The message the event tier's feeder puts on the incoming topic for a lead
 * already in claypipe's store: a CloudEvent naming the lead. Its id changes
 * with each feed (the lead and the feed lease's end), so a broker drops a
 * repeat of one feed, not the next feed of a lead that is due again.
 */
import type { OutgoingMessage } from "../../bus/bus.js";
import { decodeCloudEvent, encodeCloudEvent } from "../../bus/cloud-event.js";

export const LEAD_REFERENCE_TYPE = "com.claypipe.lead.incoming";
const SOURCE = "claypipe/feeder";

export function leadReferenceMessage(
  leadId: string,
  workspace: string,
  feedUntil: number,
): OutgoingMessage {
  const id = `${leadId}@${feedUntil}`;
  const event = encodeCloudEvent({
    id,
    source: SOURCE,
    type: LEAD_REFERENCE_TYPE,
    subject: leadId,
    data: { leadId, workspace },
  });
  return { key: leadId, id, ...event };
}

/** The lead id a message names; undefined when it is not a claypipe lead reference. */
export function readLeadReference(message: {
  value: Uint8Array;
  headers: Readonly<Record<string, string>>;
}): string | undefined {
  const event = decodeCloudEvent(message);
  if (event.type !== LEAD_REFERENCE_TYPE) return undefined;
  const data = event.data as { leadId?: unknown } | null;
  const leadId = data?.leadId;
  return typeof leadId === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(leadId) ? leadId : undefined;
}
