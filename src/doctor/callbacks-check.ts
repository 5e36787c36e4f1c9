/**
 * Where Clay's HTTP API column sends results: Clay is hosted, so a service
 * that listens publicly needs a `callbacks.baseUrl` Clay can reach — not a
 * loopback or private address — and https, since the URL carries the token.
 */
import type { ClaypipeConfig } from "../config/schema.js";
import { isLoopbackHost, isPrivateHost, listensPublicly } from "./addresses.js";
import { type DoctorCheck, error, ok, warning } from "./doctor-report.js";

const NAME = "callbacks.baseUrl";
const SET_PUBLIC =
  "set callbacks.baseUrl to the public https URL Clay can reach (the address of this service or its proxy)";

export function callbacksChecks(config: ClaypipeConfig): DoctorCheck[] {
  const callbacks = config.callbacks;
  if (!callbacks) return [];
  const url = new URL(callbacks.baseUrl);
  const host = config.server.host;
  const where = `${url.origin} (server.host ${host})`;
  if (/example\.(com|org|net)$/i.test(url.hostname)) {
    return [error("callbacks", NAME, `${where}: the starter config's example address`, SET_PUBLIC)];
  }
  const local = isLoopbackHost(url.hostname)
    ? "a loopback address"
    : isPrivateHost(url.hostname)
      ? "a private address"
      : undefined;
  if (!listensPublicly(host)) {
    return [
      ok(
        "callbacks",
        NAME,
        local
          ? `${where}: local only, for the emulator; Clay itself needs a public URL`
          : `${where}: Clay calls back through a public address to a service listening locally (a proxy in front)`,
      ),
    ];
  }
  if (local) {
    return [
      error(
        "callbacks",
        NAME,
        `${where}: ${local}, which Clay cannot reach, while the service listens publicly`,
        SET_PUBLIC,
      ),
    ];
  }
  if (url.protocol !== "https:") {
    return [
      warning(
        "callbacks",
        NAME,
        `${where}: plain http, so each callback's token crosses the internet unencrypted`,
        "serve callbacks over https (a TLS proxy in front) and set the https URL",
      ),
    ];
  }
  return [ok("callbacks", NAME, `${where}: a public https URL`)];
}
