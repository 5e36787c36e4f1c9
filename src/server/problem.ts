/**
 * Error answers in one JSON shape: `{ error, message, hint }` — a stable code
 * to branch on, a sentence saying what happened, and one saying what to do.
 * Some answers add fields (the 422 for invalid leads lists them). Echoes of
 * input are cut short where they are made (echoInput); every answer also
 * passes one bound on the length of each text in it, so none can grow with
 * what a client sent.
 */
import type { FastifyReply } from "fastify";
import { echoInput } from "../core/echo-input.js";

/** The longest text one answer field holds: a message naming many issues, not an input echoed whole. */
export const PROBLEM_TEXT_MAX = 2000;

export interface Problem {
  error: string;
  message: string;
  hint: string;
  [detail: string]: unknown;
}

export function sendProblem(reply: FastifyReply, status: number, problem: Problem): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send(boundTexts(problem));
}

function boundTexts<T>(value: T): T {
  if (typeof value === "string") return echoInput(value, PROBLEM_TEXT_MAX) as T;
  if (Array.isArray(value)) return value.map(boundTexts) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [key, boundTexts(child)]),
    ) as T;
  }
  return value;
}

/** A field-level complaint, shaped like a lead issue: `{ path: "limit", reason: "…" }`. */
export interface FieldIssue {
  path: string;
  reason: string;
}

/** Zod issues as field issues: the dotted path and zod's message. */
export function fieldIssues(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): FieldIssue[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join("."), reason: issue.message }));
}

/** "limit: Too big…; after: use a time…" for a message. */
export function describeFieldIssues(issues: readonly FieldIssue[]): string {
  return issues
    .map((issue) => (issue.path ? `${issue.path}: ${issue.reason}` : issue.reason))
    .join("; ");
}
