/**
 * Prints a parsed expression back as text that parses to the same tree:
 * lowercase keywords, double-quoted strings, single spaces, and parentheses
 * only where the tree needs them. Used to show compiled rules in logs and
 * `claypipe` output in one canonical form.
 */
import type { Expression, LiteralValue } from "./ast.js";
import { isControl } from "./expression-error.js";

export function formatExpression(expression: Expression): string {
  switch (expression.kind) {
    case "literal":
      return formatLiteral(expression.value);
    case "field":
      return expression.path.join(".");
    case "not":
      return `not ${expression.operand.kind === "not" ? formatExpression(expression.operand) : operand(expression.operand)}`;
    case "and":
      // An `or` inside `and` needs parentheses for precedence, an `and` inside `and` to stay a separate node.
      return expression.operands
        .map((item) =>
          item.kind === "or" || item.kind === "and" ? group(item) : formatExpression(item),
        )
        .join(" and ");
    case "or":
      return expression.operands
        .map((item) => (item.kind === "or" ? group(item) : formatExpression(item)))
        .join(" or ");
    case "compare":
      return `${operand(expression.left)} ${expression.operator} ${operand(expression.right)}`;
    case "in":
      return `${operand(expression.value)} ${expression.negated ? "not in" : "in"} [${expression.list.map(formatLiteral).join(", ")}]`;
  }
}

/** A literal or a field as is; anything else in parentheses. */
function operand(expression: Expression): string {
  return expression.kind === "literal" || expression.kind === "field"
    ? formatExpression(expression)
    : group(expression);
}

function group(expression: Expression): string {
  return `(${formatExpression(expression)})`;
}

function formatLiteral(value: LiteralValue): string {
  if (typeof value === "string") return formatString(value);
  return String(value);
}

const SHORT_ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  '"': '\\"',
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function formatString(value: string): string {
  let escaped = "";
  for (const char of value) {
    // Other control characters as \uXXXX, so the printed rule stays on one visible line.
    escaped +=
      SHORT_ESCAPES[char] ??
      (isControl(char) ? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}` : char);
  }
  return `"${escaped}"`;
}
