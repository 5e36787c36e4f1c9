/**
 * The shapes `POST /v1/leads` accepts, read into one list of lead inputs and
 * the source they came from:
 * - a single lead object: `{ "email": "…", … }`
 * - an array of leads: `[{ … }, { … }]`
 * - an envelope: `{ "leads": [{ … }], "source": "web" }`
 * The source may also come as `?source=web`; it must name a configured source.
 * An object whose `leads` is an array is an envelope; any other object is a lead.
 */
import { echoInput } from "../../core/echo-input.js";
import { type LeadIssue, validateLead } from "../../core/lead.js";
import type { Problem } from "../problem.js";

export interface LeadBatchOptions {
  maxBatch: number;
  /** Configured source names; the first is the default. */
  sources: readonly string[];
}

export type LeadBatch =
  | { ok: true; inputs: unknown[]; source: string | undefined }
  | { ok: false; status: 400 | 413; problem: Problem };

const SHAPES_HINT =
  'Post a lead object, an array of leads, or { "leads": [...], "source": "name" }.';

export function readLeadBatch(
  body: unknown,
  querySource: unknown,
  options: LeadBatchOptions,
): LeadBatch {
  if (typeof body !== "object" || body === null) {
    return invalid(
      "invalid_body",
      "The body is not a lead, an array of leads or a batch envelope.",
      SHAPES_HINT,
    );
  }
  const envelope = isEnvelope(body);
  const inputs = envelope ? body.leads : Array.isArray(body) ? body : [body];
  if (envelope) {
    const extra = Object.keys(body).filter((key) => key !== "leads" && key !== "source");
    if (extra.length > 0) {
      return invalid(
        "invalid_body",
        `The batch envelope has unexpected keys: ${extra.map(quote).join(", ")}.`,
        'An envelope holds only "leads" and "source"; put fields inside each lead.',
      );
    }
  }
  if (inputs.length === 0) {
    return invalid("no_leads", "The batch has no leads.", "Send at least one lead.");
  }
  if (inputs.length > options.maxBatch) {
    return {
      ok: false,
      status: 413,
      problem: {
        error: "too_many_leads",
        message: `The batch has ${inputs.length} leads; the limit is ${options.maxBatch} per request (server.maxBatch).`,
        hint: `Split it into requests of at most ${options.maxBatch} leads, or raise server.maxBatch.`,
      },
    };
  }
  const source = readSource(envelope ? body.source : undefined, querySource, options.sources);
  if (typeof source === "object") return source;
  return { ok: true, inputs, source };
}

function isEnvelope(body: unknown): body is { leads: unknown[]; source?: unknown } {
  return (
    typeof body === "object" &&
    body !== null &&
    !Array.isArray(body) &&
    Array.isArray((body as { leads?: unknown }).leads)
  );
}

function readSource(
  bodySource: unknown,
  querySource: unknown,
  sources: readonly string[],
): string | undefined | Extract<LeadBatch, { ok: false }> {
  const given = [bodySource, querySource].filter((value) => value !== undefined);
  if (given.some((value) => typeof value !== "string")) {
    return invalid(
      "invalid_source",
      "The source must be a single string.",
      'Send source once, e.g. ?source=web or "source": "web".',
    );
  }
  if (given.length === 2 && given[0] !== given[1]) {
    return invalid(
      "conflicting_source",
      `The body says source ${quote(bodySource as string)} but the query says ${quote(querySource as string)}.`,
      "Send the source in one place only.",
    );
  }
  const source = given[0] as string | undefined;
  if (source !== undefined && !sources.includes(source)) {
    return invalid(
      "unknown_source",
      `No source named ${quote(source)} is configured.`,
      sources.length > 0
        ? `Use one of: ${sources.join(", ")} (config sources[].name), or leave it out for "${sources[0]}".`
        : "Add the source to the config's sources list.",
    );
  }
  return source ?? sources[0];
}

function quote(text: string): string {
  return JSON.stringify(echoInput(text));
}

function invalid(error: string, message: string, hint: string): Extract<LeadBatch, { ok: false }> {
  return { ok: false, status: 400, problem: { error, message, hint } };
}

/**
 * The leads of a batch that fail validation, by index; empty when all pass.
 * Run before `pipeline.submit` so that a batch is accepted whole or not at all
 * (a valid lead always has an identity, so it always has a dedupe key too).
 */
export function invalidLeads(
  inputs: readonly unknown[],
): Array<{ index: number; issues: LeadIssue[] }> {
  const invalid: Array<{ index: number; issues: LeadIssue[] }> = [];
  inputs.forEach((input, index) => {
    const validation = validateLead(input);
    if (!validation.ok) invalid.push({ index, issues: validation.issues });
  });
  return invalid;
}
