/**
 * The DLQ's request shapes, validated with zod at the boundary: the list query
 * (`?reason&source&diedAfter&diedBefore&createdAfter&createdBefore&cursor&limit`)
 * and the replay and purge filters. `died…` bound when a lead died (the time the
 * list shows), `created…` when it came in. Times are milliseconds since the
 * epoch or ISO 8601 dates. A replay
 * or purge must name at least one criterion, so an empty body never touches the
 * whole DLQ by accident.
 */
import { z } from "zod";

const time = z.union([z.number(), z.string()]).transform((value, context) => {
  const ms = typeof value === "number" || /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    context.addIssue({
      code: "custom",
      message:
        'use milliseconds since the epoch or an ISO 8601 date such as "2026-11-25T08:00:00Z"',
    });
    return z.NEVER;
  }
  return ms;
});

const name = z.string().min(1).max(200);

export const dlqListQuerySchema = z
  .object({
    reason: name.optional(),
    source: name.optional(),
    diedAfter: time.optional(),
    diedBefore: time.optional(),
    createdAfter: time.optional(),
    createdBefore: time.optional(),
    cursor: z.string().min(1).max(1000).optional(),
    /** @defaultValue 100 */
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

const ANY_CRITERION =
  'name at least one of ids, reason, source, diedAfter, diedBefore, createdAfter or createdBefore (to take every dead lead, send { "createdAfter": 0 })';

const purgeShape = {
  ids: z.array(name).min(1).max(10_000).optional(),
  reason: name.optional(),
  source: name.optional(),
  createdAfter: time.optional(),
  createdBefore: time.optional(),
  diedAfter: time.optional(),
  diedBefore: time.optional(),
};

export const dlqPurgeFilterSchema = z
  .object(purgeShape)
  .strict()
  .refine((filter) => Object.values(filter).some((value) => value !== undefined), ANY_CRITERION);

// A sink alone is a criterion: "replay what this sink dead-lettered" is the usual
// move once the sink is fixed, and it never re-enriches (the CLI allows it too).
export const dlqReplayFilterSchema = z
  .object({ ...purgeShape, sink: name.optional() })
  .strict()
  .refine((filter) => Object.values(filter).some((value) => value !== undefined), ANY_CRITERION);
