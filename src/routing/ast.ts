/**
 * The syntax tree of a routing expression, as the parser builds it and the
 * evaluator walks it.
 *
 * Glossary.
 * - expression: the text of a rule's `when`, e.g. `icp_score >= 80 and work_email`.
 * - field: a bare name that reads one field of the enriched row, or a dotted path
 *   (`changed.title`) that reads through nested objects; a missing field is null.
 * - path: the names of a field, outermost first: `changed.title` is ["changed", "title"].
 * - literal: a number, string, true, false or null written in the expression.
 * - operand: what a comparison compares; a literal, a field or a parenthesized expression.
 *
 * `and` and `or` keep all their operands in one node, so a long chain stays one
 * level deep and evaluation depth follows parentheses only.
 */

export type LiteralValue = string | number | boolean | null;

/** Operators between two operands; `ieq` and the three text operators ignore case. */
export type CompareOperator =
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "ieq"
  | "contains"
  | "starts_with"
  | "ends_with";

export const COMPARE_OPERATORS: readonly CompareOperator[] = [
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "ieq",
  "contains",
  "starts_with",
  "ends_with",
];

export interface LiteralNode {
  kind: "literal";
  value: LiteralValue;
}

export interface FieldNode {
  kind: "field";
  /** One name for a bare field, several for a dotted path; never empty. */
  path: string[];
}

export interface NotNode {
  kind: "not";
  operand: Expression;
}

/** Two or more operands, evaluated left to right, stopping at the first false one. */
export interface AndNode {
  kind: "and";
  operands: Expression[];
}

/** Two or more operands, evaluated left to right, stopping at the first true one. */
export interface OrNode {
  kind: "or";
  operands: Expression[];
}

export interface CompareNode {
  kind: "compare";
  operator: CompareOperator;
  left: Expression;
  right: Expression;
}

/** `value in [ … ]`, or `value not in [ … ]` when negated. */
export interface InNode {
  kind: "in";
  negated: boolean;
  value: Expression;
  list: LiteralValue[];
}

export type Expression =
  | LiteralNode
  | FieldNode
  | NotNode
  | AndNode
  | OrNode
  | CompareNode
  | InNode;

/** Words with a meaning in the language; matched without regard to case, never field names. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  "and",
  "or",
  "not",
  "in",
  "true",
  "false",
  "null",
  "ieq",
  "contains",
  "starts_with",
  "ends_with",
]);
