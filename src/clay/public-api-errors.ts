/**
 * What can go wrong talking to Clay's public API, sorted the way callers act on
 * it: a refusal that says the config is wrong (401, 403, 404, another 4xx, an
 * answer in a shape that is not Clay's) will not pass by retrying; a busy or
 * absent Clay (429, 5xx, no answer) and exhausted credits (402) may.
 */
import { ClaypipeError } from "../core/errors.js";

export class PublicApiError extends ClaypipeError {
  /** Clay's HTTP status; undefined when Clay did not answer or answered in an unknown shape. */
  readonly status: number | undefined;
  /** True when trying again later may work; false when the config must change first. */
  readonly passing: boolean;

  constructor(
    code: "clay_rejected" | "clay_unavailable",
    message: string,
    details: { status?: number; passing: boolean; hint: string; cause?: unknown },
  ) {
    super(code, message, { hint: details.hint, cause: details.cause });
    this.name = "PublicApiError";
    this.status = details.status;
    this.passing = details.passing;
  }
}

/** What the request was for, in words and for the hint: a table's rows, or the key check. */
export type PublicApiTarget = { kind: "table"; tableId: string } | { kind: "me"; url: string };

/** A final (non-retried) answer from Clay. */
export function refusal(status: number, target: PublicApiTarget): PublicApiError {
  switch (status) {
    case 401:
    case 403:
      return new PublicApiError(
        "clay_rejected",
        `Clay's public API refused the API key (${status})`,
        {
          status,
          passing: false,
          hint: "set publicApi.apiKey to a public API key from Clay's workspace settings (sent as clay-api-key)",
        },
      );
    case 402:
      return new PublicApiError(
        "clay_rejected",
        "Clay's public API answered 402: the workspace's actions or data credits are exhausted",
        {
          status,
          passing: true,
          hint: "raise the workbook's spend limit or add credits in Clay, then try again",
        },
      );
    case 404:
      return target.kind === "table"
        ? new PublicApiError(
            "clay_rejected",
            `Clay has no table "${target.tableId}" at this address (404)`,
            {
              status,
              passing: false,
              hint: "copy the table id from the table's URL in Clay into the table's `id`; check publicApi.queryPath",
            },
          )
        : new PublicApiError(
            "clay_rejected",
            `Clay's public API has nothing at ${target.url} (404)`,
            {
              status,
              passing: false,
              hint: "check publicApi.baseUrl (Clay's is https://api.clay.com/public/v0) and publicApi.mePath",
            },
          );
    default:
      return new PublicApiError(
        "clay_rejected",
        `Clay's public API refused the request (${status})`,
        {
          status,
          passing: false,
          hint:
            target.kind === "table"
              ? "check publicApi.queryPath and the filter's field names"
              : "check publicApi.baseUrl and publicApi.mePath",
        },
      );
  }
}

/** Clay did not answer (or only 429/5xx) on every try. */
export function unavailable(
  problem: string,
  tries: number,
  target: PublicApiTarget,
  status?: number,
): PublicApiError {
  const what = target.kind === "table" ? `table ${target.tableId}` : target.url;
  return new PublicApiError(
    "clay_unavailable",
    `Clay's public API ${problem} on ${tries} ${tries === 1 ? "try" : "tries"} (${what})`,
    {
      ...(status === undefined ? {} : { status }),
      passing: true,
      hint: "try again later; check publicApi.baseUrl if it never answers",
    },
  );
}

/** Something answered, but not as Clay's public API does: the address is wrong. */
export function unexpectedShape(what: string, cause?: unknown): PublicApiError {
  return new PublicApiError(
    "clay_unavailable",
    `Clay's public API answered in an unexpected shape: ${what}`,
    {
      passing: false,
      hint: "check publicApi.baseUrl and publicApi.queryPath; Clay's API paths are not documented and may change",
      cause,
    },
  );
}

/** A URL as it may be shown: without user, password, query or fragment. */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(not a URL)";
  }
}
