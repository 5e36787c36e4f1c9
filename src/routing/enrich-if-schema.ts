/**
 * Config of the pre-send rules (the top-level `enrichIf:` list). A lead is
 * sent to Clay only when every rule that applies to it holds; the first that
 * does not skips it, and it costs no credit.
 */
import { z } from "zod";

export const enrichIfRuleSchema = z
  .object({
    /** The rule's name, stored as the reason of the leads it skips; unique among the rules. */
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, "letters, digits, - and _ only"),
    /**
     * An expression in the routing language over the lead's normalized fields
     * and `email_domain`, true for a lead worth a credit, e.g.
     * `email_domain not in ["gmail.com", "yahoo.com"]`.
     */
    when: z.string().min(1),
    /** Applies only to leads of these intake sources. @defaultValue every source */
    sources: z.array(z.string()).min(1).optional(),
  })
  .strict();

export const enrichIfSchema = z.array(enrichIfRuleSchema);

export type EnrichIfRule = z.output<typeof enrichIfRuleSchema>;
