/**
 * The library entry's `importLeads`: the importer (batching, checkpoints, the
 * bad-line report) is loaded on the first import, not when claypipe is.
 */
import type { ImportLeadsOptions, ImportSummary } from "./import-leads.js";

export async function importLeads(options: ImportLeadsOptions): Promise<ImportSummary> {
  return (await import("./import-leads.js")).importLeads(options);
}
