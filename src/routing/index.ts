/**
 * Routing: ordered rules over the enriched row, written in a small expression
 * language that is parsed once at start and evaluated without eval, Function
 * or regular expressions built from user text.
 *
 * The language (also in docs/routing.md):
 * - literals: numbers `80`, `2.5`, `-3`, `1e6`; strings in single or double
 *   quotes with escapes `\\ \" \' \n \r \t \uXXXX`; `true`, `false`, `null`;
 *   lists `[ "a", "b", 3 ]` of literals, only after `in` / `not in`.
 * - fields: bare names of letters, digits and `_` (not starting with a digit),
 *   case-sensitive; a missing field is null. Keywords are not case-sensitive.
 * - paths: names joined by dots, `changed.title`, read through nested plain
 *   objects (`row.changed.title`); no spaces around the dots, no leading,
 *   trailing or double dot, no keyword as a name. A missing name or a
 *   non-object on the way is null. A flat key holding a dot (`{"changed.title": x}`)
 *   is never consulted, and only own properties are read (`constructor`,
 *   `__proto__` are null unless the row has them).
 * - comparison: `== != < <= > >=`, and `ieq` (equality ignoring case).
 *   `==` between a number and a numeric string compares the numbers; strings
 *   otherwise compare exactly; null equals only null; `!=` is `not ==`.
 *   Ordering compares numbers (numeric strings count), else two strings by
 *   code units; with null, booleans, objects or a number and a word it is false.
 * - text: `contains`, `starts_with`, `ends_with`, ignoring case; numbers
 *   count as their decimal text; anything else does not match.
 * - `x in [ … ]`, `x not in [ … ]`: `==` against each item.
 * - logic: `and`, `or`, `not`, parentheses; short-circuit. Precedence, tightest
 *   first: not, comparison, and, or. `not a == b` is an error: write
 *   `not (a == b)` or `(not a) == b`. Comparisons do not chain.
 * - truth: a value is true unless null, false, 0 or "" (`work_email` = "has a work email").
 * - limits: at most 1,000 characters and 32 levels of "(" and "not".
 */
export type {
  AndNode,
  CompareNode,
  CompareOperator,
  Expression,
  FieldNode,
  InNode,
  LiteralNode,
  LiteralValue,
  NotNode,
  OrNode,
} from "./ast.js";
export { compileEnrichIf, emailDomain, type PreSendRules } from "./compile-enrich-if.js";
export { compileRoutes, type RouteProblem, RoutesError } from "./compile-routes.js";
export { type EnrichIfRule, enrichIfRuleSchema, enrichIfSchema } from "./enrich-if-schema.js";
export { evaluate } from "./evaluate.js";
export { ExpressionError } from "./expression-error.js";
export { formatExpression } from "./format-expression.js";
export { MAX_EXPRESSION_LENGTH, MAX_NESTING, parseExpression } from "./parser.js";
export { DEFAULT_ROUTE, type RouteMatch, type Router } from "./router.js";
export {
  ROUTE_OUTCOMES,
  type RouteOutcome,
  type RouteRule,
  type RoutesConfig,
  routeRuleSchema,
  routesSchema,
} from "./routes-schema.js";
