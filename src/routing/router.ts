/**
 * The router: takes an enriched row and answers which routes it takes and so
 * which sinks receive it. Built by compileRoutes from the `routes:` config.
 */
import type { Expression } from "./ast.js";
import { evaluate } from "./evaluate.js";

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
   * The routes the row takes, in rule order; the default route when no rule
   * matches and `routes.default` names sinks; else none. Never throws on row content.
   */
  route(row: Readonly<Record<string, unknown>>): RouteMatch[];
}

/** A rule whose `when` has been parsed and whose sinks have been checked. */
export interface CompiledRule {
  name: string;
  when: Expression;
  to: readonly string[];
}

export function createRouter(
  mode: Router["mode"],
  rules: readonly CompiledRule[],
  defaultSinks: readonly string[],
): Router {
  return Object.freeze({
    mode,
    route(row: Readonly<Record<string, unknown>>): RouteMatch[] {
      const matches: RouteMatch[] = [];
      for (const rule of rules) {
        if (!evaluate(rule.when, row)) continue;
        matches.push({ route: rule.name, sinks: [...rule.to] });
        if (mode === "first") break;
      }
      if (matches.length === 0 && defaultSinks.length > 0) {
        matches.push({ route: DEFAULT_ROUTE, sinks: [...defaultSinks] });
      }
      return matches;
    },
  });
}
