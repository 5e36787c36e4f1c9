/** Config of the router (the `routes:` block). Rules are compiled at start; one that does not parse is a config error. */
import { z } from "zod";

/**
 * What happened to a lead a route may take: enriched (a new result), skipped
 * (an `enrichIf` rule kept it from Clay), unchanged (a refresh whose result
 * did not change).
 */
export const ROUTE_OUTCOMES = ["enriched", "skipped", "unchanged"] as const;
export type RouteOutcome = (typeof ROUTE_OUTCOMES)[number];

export const routeRuleSchema = z
  .object({
    /** The route's name in results and logs; unique among the rules, and never "default". */
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "letters, digits, - and _ only"),
    /**
     * An expression over the enriched row, e.g. `icp_score >= 80 and work_email`;
     * the language is described in src/routing/index.ts and the README ("Routing rules").
     */
    when: z.string().min(1),
    /** Sink names. */
    to: z.array(z.string()).min(1),
    /** The outcomes the route takes. @defaultValue ["enriched"] */
    on: z.array(z.enum(ROUTE_OUTCOMES)).min(1).default(["enriched"]),
  })
  .strict();

export const routesSchema = z
  .object({
    /** first: the first matching rule only; all: every matching rule (fan-out). @defaultValue "first" */
    mode: z.enum(["first", "all"]).default("first"),
    rules: z.array(routeRuleSchema).default([]),
    /** Sinks for enriched rows no rule matched. @defaultValue [] */
    default: z.array(z.string()).default([]),
  })
  .strict();

export type RoutesConfig = z.output<typeof routesSchema>;
export type RouteRule = z.output<typeof routeRuleSchema>;
