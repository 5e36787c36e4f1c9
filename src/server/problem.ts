/**
 * Error answers in one JSON shape: `{ error, message, hint }` — a stable code
 * to branch on, a sentence saying what happened, and one saying what to do.
 * Some answers add fields (the 422 for invalid leads lists them).
 */
import type { FastifyReply } from "fastify";

export interface Problem {
  error: string;
  message: string;
  hint: string;
  [detail: string]: unknown;
}

export function sendProblem(reply: FastifyReply, status: number, problem: Problem): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send(problem);
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
