/**
 * One harmless authenticated read of a sink's API (a CRM or outreach tool):
 * it proves the credentials and the address without writing anything.
 */
import { shownUrl } from "../clay/public-api-errors.js";
import { type DoctorCheck, error, ok, warning } from "./doctor-report.js";

export interface ReadRequest {
  /** The tool's name in messages, e.g. "HubSpot". */
  service: string;
  url: string;
  headers?: Record<string, string>;
  /** What a 401 or 403 asks of the user. */
  credentialHint: string;
  /** What a 404 asks of the user. */
  notFoundHint: string;
  /** Judges a 2xx answer's JSON body; undefined (or no inspect) is ok. */
  inspect?: (body: unknown) => Omit<DoctorCheck, "group" | "name"> | undefined;
}

export async function authenticatedRead(
  name: string,
  request: ReadRequest,
  options: { signal: AbortSignal; fetch?: typeof fetch },
): Promise<DoctorCheck> {
  // Never the query: Smartlead's key travels there.
  const shown = shownUrl(request.url);
  let status: number;
  let body: unknown;
  try {
    const response = await (options.fetch ?? fetch)(request.url, {
      headers: { accept: "application/json", ...request.headers },
      signal: options.signal,
    });
    status = response.status;
    if (response.ok && request.inspect) body = await response.json().catch(() => undefined);
    else await response.body?.cancel();
  } catch (thrown) {
    const { cause } = thrown as { cause?: { code?: string; message?: string } };
    const reason = cause?.code ?? cause?.message ?? (thrown as Error).message;
    return error(
      "sinks",
      name,
      `no answer from ${request.service} at ${shown}${reason ? ` (${reason})` : ""}`,
      `check the sink's base URL and the network`,
    );
  }
  if (status >= 200 && status < 300) {
    const judged = request.inspect?.(body);
    if (judged) return { group: "sinks", name, ...judged };
    return ok(
      "sinks",
      name,
      `${request.service} accepted the credentials (GET ${shown}: ${status})`,
    );
  }
  const found = `${request.service} answered ${status} to GET ${shown}`;
  if (status === 401 || status === 403) return error("sinks", name, found, request.credentialHint);
  if (status === 404) return error("sinks", name, found, request.notFoundHint);
  if (status === 429) {
    return warning("sinks", name, found, `${request.service} is rate limiting: check again later`);
  }
  return error(
    "sinks",
    name,
    found,
    `${request.service} refused or failed the read: check the sink's settings, or try again later`,
  );
}
