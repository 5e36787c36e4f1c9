/**
 * The router: takes an enriched row and answers which routes it takes and so
 * which sinks receive it. Built by compileRoutes from the `routes:` config.
 */
import type { Expression } from "./ast.js";
import { evaluate } from "./evaluate.js";
import type { RouteOutcome } from "./routes-schema.js";

/** The route name given to rows no rule matched. */
export const DEFAULT_ROUTE = "default";

/** One route a row takes: the rule's name (or "default") and the sinks it sends to. */
export interface RouteMatch {
  route: string;
  sinks: string[];
}

export interface Router {
  /** first: the first matching rule only; all: every matching rule, in order (fan-out). */
  readonly mode: "first" | "all";
  /**
   * The routes the row takes, in rule order, among the rules whose `on` names
   * the outcome; for an enriched row, the default route when no rule matches
   * and `routes.default` names sinks; else none. Never throws on row content.
   */
  route(row: Readonly<Record<string, unknown>>, outcome?: RouteOutcome): RouteMatch[];
  /** Whether any rule takes rows of this outcome (the default route takes enriched ones). */
  takes(outcome: RouteOutcome): boolean;
}

/** A rule whose `when` has been parsed and whose sinks have been checked. */
export interface CompiledRule {
  name: string;
  when: Expression;
  to: readonly string[];
  /** @defaultValue ["enriched"] */
  on?: readonly RouteOutcome[];
}

export function createRouter(
  mode: Router["mode"],
  rules: readonly CompiledRule[],
  defaultSinks: readonly string[],
): Router {
  const rulesOn = (outcome: RouteOutcome) =>
    rules.filter((rule) => (rule.on ?? ["enriched"]).includes(outcome));
  const byOutcome = {
    enriched: rulesOn("enriched"),
    skipped: rulesOn("skipped"),
    unchanged: rulesOn("unchanged"),
  } satisfies Record<RouteOutcome, CompiledRule[]>;
  return Object.freeze({
    mode,
    route(row: Readonly<Record<string, unknown>>, outcome: RouteOutcome = "enriched") {
      const matches: RouteMatch[] = [];
      for (const rule of byOutcome[outcome]) {
        if (!evaluate(rule.when, row)) continue;
        matches.push({ route: rule.name, sinks: [...rule.to] });
        if (mode === "first") break;
      }
      if (matches.length === 0 && outcome === "enriched" && defaultSinks.length > 0) {
        matches.push({ route: DEFAULT_ROUTE, sinks: [...defaultSinks] });
      }
      return matches;
    },
    takes(outcome: RouteOutcome) {
      return byOutcome[outcome].length > 0 || (outcome === "enriched" && defaultSinks.length > 0);
    },
  });
}
