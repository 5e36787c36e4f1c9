/**
 * `refresh:` — re-enrichment on a schedule. Each schedule names which stored
 * results it renews (by source, table, route, or an expression over the
 * result), how old they must be, when it runs (cron, in UTC or a named time
 * zone), and how much it may spend: never more than `maxPerRun` leads, and
 * never more than `creditShare` of what is left under the caps.
 */
import { z } from "zod";
import { durationSchema as duration } from "./duration-schema.js";

export const refreshScheduleSchema = z
  .object({
    /** Names the schedule in `claypipe refresh --schedule`, status and the lead's history. */
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "letters, digits, - and _ only"),
    /** When it runs: five cron fields (minute hour day month weekday), e.g. "0 3 * * 1". */
    schedule: z.string().min(1).max(200),
    /** The time zone the cron fields are read in, e.g. "Europe/Berlin". @defaultValue "UTC" */
    timezone: z.string().min(1).max(100).default("UTC"),
    /** Renews a person's newest result once it is older than this, e.g. "90d". */
    olderThan: duration,
    /** Only results of leads from these sources. @defaultValue every source */
    sources: z.array(z.string()).min(1).optional(),
    /** Only results of leads sent to these tables (config names). @defaultValue every table */
    tables: z.array(z.string()).min(1).optional(),
    /**
     * The table refreshes are sent to (`name` or `workspace/name`); only people
     * of its workspace are renewed. A table with Clay's auto-dedupe on the
     * person drops a re-sent row and never calls back: send refreshes to one
     * without it. @defaultValue the table each lead went to
     */
    sendTo: z.string().min(1).optional(),
    /** Only results the router sent down one of these routes. @defaultValue any route */
    routes: z.array(z.string()).min(1).optional(),
    /** Only results for which this routing expression is true, e.g. `icp_score >= 60`. */
    where: z.string().min(1).optional(),
    /** Most leads one run sends. @defaultValue 1000 */
    maxPerRun: z.number().int().positive().max(1_000_000).default(1000),
    /**
     * The share of the credits left under each cap (day and month, workspace
     * and source) one run may spend. @defaultValue 0.5
     */
    creditShare: z.number().gt(0).max(1).default(0.5),
  })
  .strict();

export const refreshSchema = z.array(refreshScheduleSchema).default([]);

export type RefreshScheduleConfig = z.output<typeof refreshScheduleSchema>;
