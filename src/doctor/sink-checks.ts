/**
 * Each sink checked without delivering anything: CRMs by one authenticated
 * read (HubSpot's first contact and a list sink's list, Salesforce's limits), outreach tools by
 * reading the sink's campaign, a postgres sink by connecting and looking for its table,
 * a file sink by its folder, a webhook sink by its URL and signing secret.
 * Slack incoming webhooks have no read, so they are only said to be unchecked.
 */
import { resolve } from "node:path";
import type { ClaypipeConfig, SinkConfig } from "../config/schema.js";
import { isLoopbackHost, shownAddress } from "./addresses.js";
import { authenticatedRead, type ReadRequest } from "./authenticated-read.js";
import { type DoctorCheck, error, ok, warning } from "./doctor-report.js";
import { postgresHint, postgresVersion, withPostgres } from "./postgres-probe.js";
import type { Probe } from "./probe.js";
import { unsetSecret } from "./unset-secret.js";
import { writablePath } from "./writable-path.js";

interface SinkProbeOptions {
  timeoutMs: number;
  fetch?: typeof fetch;
}

export function sinkProbes(config: ClaypipeConfig, options: SinkProbeOptions): Probe[] {
  return config.sinks.map((sink, i) => sinkProbe(sink, `sinks[${i}]`, options));
}

function sinkProbe(sink: SinkConfig, key: string, options: SinkProbeOptions): Probe {
  const name = `sinks.${sink.name}`;
  const probe = (address: string, hint: string, run: Probe["run"]): Probe => ({
    group: "sinks",
    name,
    address,
    hint,
    run,
  });
  const secretUnset = (value: string, field: string) =>
    unsetSecret("sinks", name, value, `${key}.${field}`);
  const read = (signal: AbortSignal, request: ReadRequest) =>
    authenticatedRead(name, request, {
      signal,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });

  switch (sink.type) {
    case "hubspot":
    case "hubspot-list":
      return probe(sink.baseUrl, "check the sink's baseUrl and the network", async (signal) => {
        const unset = secretUnset(sink.accessToken, "accessToken");
        if (unset) return [unset];
        const headers = { authorization: `Bearer ${sink.accessToken}` };
        const contacts = await read(signal, {
          service: "HubSpot",
          url: `${sink.baseUrl}/crm/v3/objects/contacts?limit=1`,
          headers,
          credentialHint:
            "set accessToken to a private app token with the crm.objects.contacts.read and .write scopes",
          notFoundHint: "check the sink's baseUrl (HubSpot's is https://api.hubapi.com)",
        });
        if (sink.type === "hubspot" || contacts.level !== "ok") return [contacts];
        return [await read(signal, hubspotListRead(sink.baseUrl, sink.listId, headers))];
      });
    case "salesforce":
      return probe(sink.instanceUrl, "check instanceUrl and the network", async (signal) => [
        secretUnset(sink.accessToken, "accessToken") ??
          (await read(signal, {
            service: "Salesforce",
            url: `${sink.instanceUrl}/services/data/${sink.apiVersion}/limits`,
            headers: { authorization: `Bearer ${sink.accessToken}` },
            credentialHint:
              "the access token is expired or invalid: get a fresh OAuth token for the org and set accessToken",
            notFoundHint: "check instanceUrl (your My Domain URL) and apiVersion (e.g. v60.0)",
          })),
      ]);
    case "instantly":
      return probe(sink.baseUrl, "check the sink's baseUrl and the network", async (signal) => [
        secretUnset(sink.apiKey, "apiKey") ??
          (await read(signal, {
            service: "Instantly",
            url: `${sink.baseUrl}/campaigns/${encodeURIComponent(sink.campaignId)}`,
            headers: { authorization: `Bearer ${sink.apiKey}` },
            credentialHint: "set apiKey to an Instantly API v2 key (Settings → Integrations → API)",
            notFoundHint:
              "check campaignId (the UUID in the campaign's URL) and baseUrl (Instantly's is https://api.instantly.ai/api/v2)",
          })),
      ]);
    case "smartlead":
      return probe(sink.baseUrl, "check the sink's baseUrl and the network", async (signal) => [
        secretUnset(sink.apiKey, "apiKey") ??
          (await read(signal, {
            service: "Smartlead",
            url: `${sink.baseUrl}/campaigns/${sink.campaignId}?api_key=${encodeURIComponent(sink.apiKey)}`,
            credentialHint: "set apiKey to the Smartlead API key from Settings → API",
            notFoundHint:
              "check campaignId (the number in the campaign's URL) and baseUrl (Smartlead's is https://server.smartlead.ai/api/v1)",
          })),
      ]);
    case "slack":
      return probe("Slack", "", async () => [
        secretUnset(sink.webhookUrl, "webhookUrl") ??
          ok("sinks", name, "not checked: Slack incoming webhooks cannot be read without posting"),
      ]);
    case "webhook":
      return probe(sink.url, "", async () => [
        secretUnset(sink.secret, "secret") ?? webhookSinkCheck(name, sink.url),
      ]);
    case "file":
      return probe(resolve(sink.path), "", async () => [await fileSinkCheck(name, sink.path)]);
    case "postgres":
      return probe(
        shownAddress(sink.connectionString),
        `start PostgreSQL, or fix ${key}.connectionString`,
        async () => [
          secretUnset(sink.connectionString, "connectionString") ??
            (await postgresSinkCheck(
              name,
              key,
              sink.connectionString,
              sink.table,
              options.timeoutMs,
            )),
        ],
      );
    case "bus":
      return probe("the bus", "", async () => [
        ok("sinks", name, `publishes to ${sink.topic} through the bus (checked under bus)`),
      ]);
  }
}

/** `GET /crm/v3/lists/{listId}`: the list exists, and is static (a dynamic list takes no members by API). */
function hubspotListRead(
  baseUrl: string,
  listId: string,
  headers: Record<string, string>,
): ReadRequest {
  return {
    service: "HubSpot",
    url: `${baseUrl}/crm/v3/lists/${listId}`,
    headers,
    credentialHint: "give the private app token the crm.lists.read and crm.lists.write scopes",
    notFoundHint: `the portal has no list ${listId}: set listId to the ILS id of a static contact list`,
    inspect(body) {
      const type = (body as { list?: { processingType?: unknown } } | undefined)?.list
        ?.processingType;
      if (type === "DYNAMIC") {
        return {
          level: "error",
          found: `list ${listId} is an active (DYNAMIC) list, which takes no members by API`,
          hint: "use a static contact list (MANUAL or SNAPSHOT) and set its ILS id as listId",
        };
      }
      return {
        level: "ok",
        found: `HubSpot accepted the credentials; list ${listId} is a static list (${String(type)})`,
      };
    },
  };
}

function webhookSinkCheck(name: string, text: string): DoctorCheck {
  const url = new URL(text);
  const shown = `${url.origin}${url.pathname}`;
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return error(
      "sinks",
      name,
      `${shown}: not an http(s) URL`,
      "set url to the endpoint's http(s) address",
    );
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    return warning(
      "sinks",
      name,
      `${shown}: plain http to another machine`,
      "use https, so enriched leads are not sent over the network unencrypted",
    );
  }
  return ok("sinks", name, `${shown}: well-formed, signing secret set`);
}

async function fileSinkCheck(name: string, path: string): Promise<DoctorCheck> {
  const place = await writablePath(path);
  if (place.state === "not-writable") {
    return error(
      "sinks",
      name,
      `${place.blocker} ${place.reason}`,
      "point the sink's path at a file in a folder this user can write",
    );
  }
  return ok(
    "sinks",
    name,
    place.exists ? `${resolve(path)} is writable` : `${resolve(path)} can be created`,
  );
}

async function postgresSinkCheck(
  name: string,
  key: string,
  connectionString: string,
  table: string,
  timeoutMs: number,
): Promise<DoctorCheck> {
  const address = shownAddress(connectionString);
  try {
    return await withPostgres(connectionString, timeoutMs, async (client) => {
      const version = await postgresVersion(client);
      const { rows } = await client.query<{ found: string | null }>(
        "SELECT to_regclass($1)::text AS found",
        [table],
      );
      const state = rows[0]?.found
        ? `table ${table} exists`
        : `table ${table} is created by the first delivery`;
      return ok("sinks", name, `${version} at ${address}; ${state}`);
    });
  } catch (thrown) {
    return error(
      "sinks",
      name,
      `cannot use PostgreSQL at ${address}: ${(thrown as Error).message}`,
      postgresHint(thrown, `${key}.connectionString`),
    );
  }
}
