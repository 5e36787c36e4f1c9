/**
 * Typed errors. Every error a user can hit carries a stable `code` to branch on,
 * a message that says what happened, and a `hint` that says what to do.
 */

export type ErrorCode =
  | "config_invalid"
  | "config_not_found"
  | "input_invalid"
  | "input_unreadable"
  | "unsupported_charset"
  | "state_unavailable"
  | "payload_too_large"
  | "clay_rejected"
  | "clay_unavailable"
  | "capacity_exhausted"
  | "callback_token_invalid"
  | "timeout"
  | "aborted";

export class ClaypipeError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ClaypipeError";
    this.code = code;
    this.hint = options.hint;
  }

  /** The message and the hint, as a person reads them. */
  describe(): string {
    return this.hint ? `${this.message}\n  → ${this.hint}` : this.message;
  }
}

/** Turns anything thrown into an Error, so callers can rely on `.message`. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === "string" ? thrown : JSON.stringify(thrown));
}

export function isAbortError(thrown: unknown): boolean {
  return (
    thrown instanceof Error && (thrown.name === "AbortError" || thrown.name === "TimeoutError")
  );
}
