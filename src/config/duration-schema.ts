/** A config duration: "500ms", "30s", "5m", "7d", or milliseconds; parsed to ms. */
import { z } from "zod";
import { parseDuration } from "../core/duration.js";

export const durationSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: "custom",
      message: 'expected a duration such as "500ms", "30s", "5m", "7d"',
    });
    return z.NEVER;
  }
  return ms;
});
