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
      return fieldValue(row, node.path);
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

/**
 * Follows the path through nested plain objects: `changed.title` reads `row.changed.title`.
 * A missing name, or anything but a plain object on the way (an array, a string, null),
 * gives null. A flat key that contains a dot, `{ "changed.title": … }`, is never consulted.
 */
function fieldValue(row: Readonly<Record<string, unknown>>, path: readonly string[]): Value {
  let object = row;
  for (let index = 0; ; index += 1) {
    const name = path[index]!;
    // Own properties only: `constructor` or `__proto__` must not reach Object.prototype.
    if (!Object.hasOwn(object, name)) return null;
    const value = object[name];
    if (index === path.length - 1) return toValue(value);
    if (!isPlainObject(value)) return null;
    object = value;
  }
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
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
