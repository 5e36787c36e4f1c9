/**
 * Counts every statement this process sends to PostgreSQL through `pg`, by
 * what it is and where it comes from: pg.Client's query is wrapped, and each
 * call is labelled with its kind (BEGIN, SELECT, a CTE that writes…), the store
 * method that sent it and the first caller outside the store (from the stack).
 * Statements no claypipe source file sent (the benchmark's own checks) are not
 * counted. Stacks cost time: only a counting run should install it.
 */
import pg from "pg";

export interface StatementCount {
  kind: string;
  /** The store method that sent it, e.g. "PostgresLeadStore.get". */
  store: string;
  /** The first caller outside src/store, e.g. "send-handler.ts claimAndSend". */
  caller: string;
  count: number;
}

export interface StatementCounter {
  /** Starts counting from zero. */
  reset(): void;
  counts(): StatementCount[];
  total(): number;
  /** Puts pg's query back as it was. */
  uninstall(): void;
}

type Query = (this: unknown, ...args: unknown[]) => unknown;

/** claypipe's sources, as they appear in stack frames. */
const SOURCES = `${process.cwd()}/src/`;

export function installStatementCounter(): StatementCounter {
  const prototype = pg.Client.prototype as unknown as { query: Query };
  const original = prototype.query;
  let counts = new Map<string, StatementCount>();
  prototype.query = function countedQuery(this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === "string" ? first : (first as { text?: string })?.text;
    if (typeof text === "string") count(text);
    return original.apply(this, args);
  };

  function count(text: string): void {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 40;
    const stack = new Error().stack ?? "";
    Error.stackTraceLimit = limit;
    const frames = stack.split("\n").slice(1).map(parseFrame);
    if (!frames.some((frame) => frame.file.startsWith(SOURCES))) return;
    const store =
      frames.find(
        (frame) =>
          frame.file.startsWith(`${SOURCES}store/postgres/`) &&
          !frame.file.endsWith("postgres-database.ts"),
      ) ?? frames.find((frame) => frame.file.startsWith(SOURCES));
    const caller = frames.find(
      (frame) => frame.file.startsWith(SOURCES) && !frame.file.startsWith(`${SOURCES}store/`),
    );
    const entry = {
      kind: kindOf(text),
      store: store ? store.name || basename(store.file) : "?",
      caller: caller ? `${basename(caller.file)} ${caller.name}`.trim() : "?",
    };
    const key = `${entry.kind}|${entry.store}|${entry.caller}`;
    const found = counts.get(key);
    if (found) found.count += 1;
    else counts.set(key, { ...entry, count: 1 });
  }

  return {
    reset() {
      counts = new Map();
    },
    counts: () => [...counts.values()].sort((a, b) => b.count - a.count),
    total: () => [...counts.values()].reduce((sum, entry) => sum + entry.count, 0),
    uninstall() {
      prototype.query = original;
    },
  };
}

/** "SELECT", "BEGIN", "WITH → UPDATE, INSERT": what the statement does, from its text. */
export function kindOf(text: string): string {
  const words = text.trim().toUpperCase();
  const verb = words.split(/\s+/, 1)[0] ?? "";
  if (verb !== "WITH") return verb;
  const writes = [...new Set(words.match(/\b(INSERT|UPDATE|DELETE)\b/g) ?? [])];
  return writes.length === 0 ? "WITH → SELECT" : `WITH → ${writes.join(", ")}`;
}

function parseFrame(line: string): { name: string; file: string } {
  // "    at async PostgresLeadStore.get (file:///…/src/store/postgres/postgres-lead-store.ts:49:24)"
  const match = /at (?:async )?(?:(.+?) \()?(?:file:\/\/)?([^():]+)(?::\d+:\d+)?\)?$/.exec(
    line.trim(),
  );
  if (!match) return { name: "", file: "" };
  return { name: (match[1] ?? "").replace(/^Object\./, ""), file: match[2] ?? "" };
}

function basename(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}
