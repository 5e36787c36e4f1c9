/** One versioned schema change, as both SQL adapters record and apply them. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
