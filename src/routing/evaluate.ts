/**
 * Evaluates a parsed routing expression against one enriched row. Walks the
 * tree once, short-circuiting `and` and `or`; the cost is bounded by the size
 * of the tree (capped by the parser) and of the values it reads. Never throws
 * on row content: values of the wrong type simply do not match.
 */
import type { CompareOperator, Expression } from "./ast.js";
import {
  compareOrder,
  isTruthy,
  matchText,
  toValue,
  type Value,
  valuesEqual,
  valuesEqualIgnoringCase,
} from "./values.js";

/** Whether the row matches: the expression's value is truthy. */
export function evaluate(expression: Expression, row: Readonly<Record<string, unknown>>): boolean {
  return isTruthy(valueIn(expression, row));
}

function valueIn(node: Expression, row: Readonly<Record<string, unknown>>): Value {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "field":
      // Own fields only: `constructor` or `__proto__` must not reach Object.prototype.
      return Object.hasOwn(row, node.name) ? toValue(row[node.name]) : null;
    case "not":
      return !isTruthy(valueIn(node.operand, row));
    case "and":
      return node.operands.every((operand) => isTruthy(valueIn(operand, row)));
    case "or":
      return node.operands.some((operand) => isTruthy(valueIn(operand, row)));
    case "in": {
      const value = valueIn(node.value, row);
      return node.list.some((item) => valuesEqual(value, item)) !== node.negated;
    }
    case "compare":
      return compare(node.operator, valueIn(node.left, row), valueIn(node.right, row));
  }
}

function compare(operator: CompareOperator, a: Value, b: Value): boolean {
  switch (operator) {
    case "==":
      return valuesEqual(a, b);
    case "!=":
      return !valuesEqual(a, b);
    case "ieq":
      return valuesEqualIgnoringCase(a, b);
    case "contains":
    case "starts_with":
    case "ends_with":
      return matchText(operator, a, b);
  }
  const order = compareOrder(a, b);
  if (order === undefined) return false;
  if (operator === "<") return order < 0;
  if (operator === "<=") return order <= 0;
  return operator === ">" ? order > 0 : order >= 0;
}
