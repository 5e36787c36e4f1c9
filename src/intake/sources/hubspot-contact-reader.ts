/**
 * Reads the contacts a HubSpot webhook batch names, through the CRM v3 batch
 * read (`POST /crm/v3/objects/contacts/batch/read`, 100 ids a request): a
 * webhook batch holds at most 100 events, so it costs one request instead of
 * one per contact, and stays far below HubSpot's burst limit.
 *
 * It runs while HubSpot waits for its answer, so the whole read has a deadline:
 * 429, 408, 5xx and network failures are tried again after a short backoff (or
 * Retry-After) only while the deadline allows. Past it, or on a failure no retry
 * fixes (a bad token), the read fails and nothing is written; the caller answers
 * 503 and HubSpot sends the batch again later. A contact HubSpot no longer has
 * (deleted or merged) is simply missing from the result.
 */

import { trimEndChar } from "../../core/text-scan.js";
import { createBackoff } from "../../net/backoff.js";
import { describeNetworkError } from "../../net/network-error.js";
import { parseRetryAfter } from "../../net/retry-after.js";

/** HubSpot's limit of inputs per batch read. */
const MAX_BATCH = 100;

export interface HubspotContactReaderOptions {
  /** e.g. "https://api.hubapi.com" */
  apiBaseUrl: string;
  /** A private app token with crm.objects.contacts.read. */
  accessToken: string;
  /** Contact properties to read. */
  properties: readonly string[];
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

export type ContactProperties = Record<string, string | null>;

export type ContactRead =
  /** Contacts by id; ids HubSpot does not have are absent. */
  { ok: true; contacts: Map<string, ContactProperties> } | { ok: false; reason: string };

export interface HubspotContactReader {
  read(ids: readonly string[], timeoutMs: number): Promise<ContactRead>;
}

export function createHubspotContactReader(
  options: HubspotContactReaderOptions,
): HubspotContactReader {
  const fetchImpl = options.fetch ?? fetch;
  const url = `${trimEndChar(options.apiBaseUrl, "/")}/crm/v3/objects/contacts/batch/read`;

  const readBatch = async (
    ids: readonly string[],
    deadline: number,
    into: Map<string, ContactProperties>,
  ): Promise<string | undefined> => {
    const backoff = createBackoff({ initialBackoffMs: 100, maxBackoffMs: 1000 });
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return "HubSpot did not answer in time";
      let failure: { reason: string; waitMs: number | undefined } | string;
      try {
        const response = await fetchImpl(url, {
          method: "POST",
          headers: {
            authorization: `Bearer ${options.accessToken}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({
            inputs: ids.map((id) => ({ id })),
            properties: options.properties,
            propertiesWithHistory: [],
          }),
          signal: AbortSignal.timeout(remaining),
        });
        const body = await readJson(response);
        const ok = response.status === 200 || response.status === 207;
        if (ok && collect(body, into)) return undefined;
        failure = ok
          ? {
              reason: `HubSpot answered ${response.status} without a results list`,
              waitMs: undefined,
            }
          : classify(response.status, body, response.headers.get("retry-after"));
      } catch (thrown) {
        failure = {
          reason: `could not reach HubSpot (${describeNetworkError(thrown)})`,
          waitMs: undefined,
        };
      }
      if (typeof failure === "string") return failure;
      const waitMs = failure.waitMs ?? backoff.next();
      if (Date.now() + waitMs >= deadline)
        return `${failure.reason}, and the time to answer HubSpot ran out`;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  };

  return {
    async read(ids, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const contacts = new Map<string, ContactProperties>();
      // In turn, not at once: a webhook batch fits one request, and the deadline covers them all.
      for (let start = 0; start < ids.length; start += MAX_BATCH) {
        const reason = await readBatch(ids.slice(start, start + MAX_BATCH), deadline, contacts);
        if (reason !== undefined) return { ok: false, reason };
      }
      return { ok: true, contacts };
    },
  };
}

/** A passing failure (with the wait HubSpot asked for), or a final one as its reason. */
function classify(
  status: number,
  body: unknown,
  retryAfter: string | null,
): { reason: string; waitMs: number | undefined } | string {
  const category = (body as { category?: unknown } | null)?.category;
  const detail = `${status}${typeof category === "string" ? ` ${category}` : ""}`;
  if (status === 429 || status === 408 || status >= 500) {
    return {
      reason: `HubSpot answered ${detail}`,
      waitMs: parseRetryAfter(retryAfter, Date.now()),
    };
  }
  if (status === 401 || status === 403) {
    return `HubSpot refused the token (${detail}): set hubspot.accessToken to a private app token with the crm.objects.contacts.read scope`;
  }
  return `HubSpot refused the batch read (${detail})`;
}

/** False when the answer is not a batch result (a proxy's page, a changed API). */
function collect(body: unknown, into: Map<string, ContactProperties>): boolean {
  const results = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return false;
  for (const result of results) {
    const { id, properties } = (result ?? {}) as { id?: unknown; properties?: unknown };
    if (typeof id !== "string" || typeof properties !== "object" || properties === null) continue;
    into.set(id, properties as ContactProperties);
  }
  return true;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return JSON.parse(await response.text());
  } catch {
    return undefined;
  }
}
