/**
 * Compiles the `enrichIf:` rules at start into the check intake applies to
 * every lead before it is admitted. Every bad expression, repeated name and
 * unknown source is collected into one error, as for the routes.
 */
import type { Lead } from "../core/lead.js";
import type { Expression } from "./ast.js";
import { parseWhen, type RouteProblem, RoutesError } from "./compile-routes.js";
import type { EnrichIfRule } from "./enrich-if-schema.js";
import { evaluate } from "./evaluate.js";

export interface PreSendRules {
  /** The name of the first rule that does not hold for the lead, or undefined when it is worth a credit. */
  skippedBy(fields: Readonly<Lead>, source: string): string | undefined;
}

interface CompiledPreSendRule {
  name: string;
  when: Expression;
  sources: ReadonlySet<string> | undefined;
}

/**
 * @param sourceNames the configured intake sources, which rules may be scoped to
 * @throws RoutesError listing every bad expression, repeated rule name and unknown source
 */
export function compileEnrichIf(
  rules: readonly EnrichIfRule[],
  sourceNames: readonly string[],
): PreSendRules {
  const problems: RouteProblem[] = [];
  const compiled: CompiledPreSendRule[] = [];
  const firstByName = new Map<string, number>();
  rules.forEach((rule, i) => {
    const at = `enrichIf[${i}]`;
    const key = rule.name.toLowerCase();
    const first = firstByName.get(key);
    if (first === undefined) firstByName.set(key, i);
    else
      problems.push({
        path: `${at}.name`,
        message: `"${rule.name}" is already the name of enrichIf[${first}]`,
      });
    for (const source of rule.sources ?? []) {
      if (!sourceNames.includes(source))
        problems.push({
          path: `${at}.sources`,
          message: `no source named "${source}" (sources: ${sourceNames.join(", ")})`,
        });
    }
    const when = parseWhen(rule.when, `${at}.when`, problems);
    if (when !== undefined)
      compiled.push({
        name: rule.name,
        when,
        sources: rule.sources === undefined ? undefined : new Set(rule.sources),
      });
  });
  if (problems.length > 0) throw new RoutesError(problems, "the enrichIf rules");

  return Object.freeze({
    skippedBy(fields: Readonly<Lead>, source: string): string | undefined {
      if (compiled.length === 0) return undefined;
      const row = { ...fields, email_domain: emailDomain(fields.email) };
      return compiled.find(
        (rule) => (rule.sources?.has(source) ?? true) && !evaluate(rule.when, row),
      )?.name;
    },
  });
}

/** "Ada@Example.COM" → "example.com"; null without an email. */
export function emailDomain(email: Lead[string] | undefined): string | null {
  if (typeof email !== "string") return null;
  const at = email.lastIndexOf("@");
  return at === -1 ? null : email.slice(at + 1).toLowerCase();
}
