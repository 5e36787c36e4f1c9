/**
 * What a lead search that the pipeline refused tells the person: a cursor or
 * match it could not take (400), or a tier with no store to search (409).
 * Anything else is a fault of ours and goes on to the error handler.
 */
import { ClaypipeError } from "../../core/errors.js";

export function searchFailure(error: unknown): { status: number; message: string } {
  if (error instanceof ClaypipeError && error.code === "input_invalid") {
    return { status: 400, message: sentence(error) };
  }
  if (error instanceof ClaypipeError && error.code === "config_invalid") {
    return { status: 409, message: sentence(error) };
  }
  throw error;
}

function sentence(error: ClaypipeError): string {
  return error.hint ? `${error.message}: ${error.hint}.` : `${error.message}.`;
}
