/**
 * A list read for a page, or what was wrong with the request (a cursor this
 * store did not hand out) said on the page instead of failing it.
 */
import { ClaypipeError } from "../../core/errors.js";

export async function listOrIssue<T>(
  read: () => Promise<T>,
): Promise<{ page?: T; issue?: string }> {
  try {
    return { page: await read() };
  } catch (error) {
    if (error instanceof ClaypipeError && error.code === "input_invalid")
      return { issue: `${error.message}: ${error.hint ?? "start again from the first page"}` };
    throw error;
  }
}
