/**
 * Compiles the `routes:` config into a Router at start: parses every rule's
 * `when` and checks every sink name, collecting all problems into one error
 * so a user fixes the config in one pass.
 */
import { ClaypipeError } from "../core/errors.js";
import type { Expression } from "./ast.js";
import { ExpressionError, ROUTING_DOCS_HINT } from "./expression-error.js";
import { parseExpression } from "./parser.js";
import { type CompiledRule, createRouter, DEFAULT_ROUTE, type Router } from "./router.js";
import type { RoutesConfig } from "./routes-schema.js";

/** One thing wrong with the routes config, at its key path, e.g. `routes.rules[2].when`. */
export interface RouteProblem {
  path: string;
  /** What is wrong; for an expression, followed by the rule and a caret line. */
  message: string;
}

/** The routes config does not compile; `problems` lists every reason. */
export class RoutesError extends ClaypipeError {
  readonly problems: readonly RouteProblem[];

  /** @param subject what does not compile @defaultValue "the routes" */
  constructor(problems: readonly RouteProblem[], subject = "the routes") {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const lines = problems.map(
      ({ path, message }) => `  ${path}: ${message.replaceAll("\n", "\n    ")}`,
    );
    super("config_invalid", `${subject} do not compile (${count}):\n${lines.join("\n")}`, {
      hint: `fix each key listed; ${ROUTING_DOCS_HINT}`,
    });
    this.name = "RoutesError";
    this.problems = problems;
  }
}

/**
 * @param sinkNames the names of the configured sinks, which rules may send to
 * @throws RoutesError listing every bad expression, unknown sink and repeated or reserved rule name
 */
export function compileRoutes(routes: RoutesConfig, sinkNames: readonly string[]): Router {
  const problems: RouteProblem[] = [];
  const known = new Set(sinkNames);
  const checkSinks = (path: string, sinks: readonly string[]) => {
    const seen = new Set<string>();
    for (const sink of sinks) {
      if (seen.has(sink)) problems.push({ path, message: `"${sink}" is listed twice` });
      else if (!known.has(sink))
        problems.push({ path, message: `no sink named "${sink}" (${describeSinks(sinkNames)})` });
      seen.add(sink);
    }
  };

  const rules: CompiledRule[] = [];
  const firstByName = new Map<string, number>();
  routes.rules.forEach((rule, i) => {
    const at = `routes.rules[${i}]`;
    const key = rule.name.toLowerCase();
    const first = firstByName.get(key);
    if (key === DEFAULT_ROUTE) {
      problems.push({
        path: `${at}.name`,
        message: `"${rule.name}" is reserved for rows no rule matches: pick another name`,
      });
    } else if (first !== undefined) {
      problems.push({
        path: `${at}.name`,
        message: `"${rule.name}" is already the name of routes.rules[${first}]`,
      });
    } else {
      firstByName.set(key, i);
    }
    const when = parseWhen(rule.when, `${at}.when`, problems);
    checkSinks(`${at}.to`, rule.to);
    if (when !== undefined) rules.push({ name: rule.name, when, to: [...rule.to], on: rule.on });
  });
  checkSinks("routes.default", routes.default);

  if (problems.length > 0) throw new RoutesError(problems);
  return createRouter(routes.mode, rules, [...routes.default]);
}

/** Parses one `when`, or records why it does not parse under `path`. */
export function parseWhen(
  text: string,
  path: string,
  problems: RouteProblem[],
): Expression | undefined {
  try {
    return parseExpression(text);
  } catch (thrown) {
    if (!(thrown instanceof ExpressionError)) throw thrown;
    problems.push({ path, message: `${thrown.message}\n${thrown.pointer}` });
    return undefined;
  }
}

function describeSinks(sinkNames: readonly string[]): string {
  return sinkNames.length === 0 ? "no sinks are configured" : `sinks: ${sinkNames.join(", ")}`;
}
