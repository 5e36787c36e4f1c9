/**
 * The messages the bus benchmarks publish: incoming leads as the intake would
 * put them on `leads.incoming`, each a different person, encoded once with
 * claypipe's CloudEvents envelope before any timing, so the port and the raw
 * client carry the same bytes and only the transport differs.
 */
import type { OutgoingMessage } from "../src/bus/bus.js";
import { encodeCloudEvent } from "../src/bus/cloud-event.js";

/** `count` lead events (about 600 bytes of body each); `tag` keeps runs apart. */
export function benchEvents(count: number, tag: string): OutgoingMessage[] {
  const time = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => {
    const leadId = `lead_${tag}_${String(i).padStart(8, "0")}`;
    const email = `bench-${tag}-${i}@acme-analytics.example`;
    const { value, headers } = encodeCloudEvent({
      id: `${leadId}:incoming`,
      source: "claypipe/intake",
      type: "com.claypipe.lead.incoming",
      time,
      subject: leadId,
      data: {
        claypipe_id: leadId,
        received_at: time,
        source: "webform:demo-request",
        lead: {
          email,
          first_name: "Ada",
          last_name: `Lovelace${i}`,
          title: "Head of Revenue Operations",
          company: "Acme Analytics",
          domain: "acme-analytics.example",
          linkedin_url: `https://www.linkedin.com/in/ada-lovelace-${i}`,
          phone: "+44 20 7946 0958",
          country: "GB",
          employees: "201-500",
          utm_source: "google",
          utm_medium: "cpc",
          utm_campaign: "q4-revops-enrichment",
          message: "We would like to see how enrichment fits our inbound routing.",
        },
      },
    });
    return { key: email, id: `${leadId}:incoming`, value, headers };
  });
}

/** What every benchmark handler does with a message on both sides: read its JSON. */
export function readEvent(value: Uint8Array): void {
  JSON.parse(new TextDecoder().decode(value));
}

/** Body bytes and header bytes (names and values) of one message, for the printed setup. */
export function messageBytes(message: OutgoingMessage): { body: number; headers: number } {
  const headers = Object.entries(message.headers ?? {}).reduce(
    (sum, [name, value]) => sum + name.length + value.length,
    message.key.length + (message.id?.length ?? 0),
  );
  return { body: message.value.byteLength, headers };
}
