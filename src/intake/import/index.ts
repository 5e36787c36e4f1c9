/** Bulk import of a lead file into the pipeline's store: batched, resumable, with a bad-line report. */
export {
  fileCheckpoints,
  type ImportCheckpoints,
  type ImportedFile,
  type ImportPosition,
  type ImportTotals,
  type SavedImport,
} from "./import-checkpoint.js";
export {
  DEFAULT_IMPORT_BATCH,
  type ImportLeadsOptions,
  type ImportProgress,
  type ImportSummary,
  importLeads,
} from "./import-leads.js";
export type { ImportStart, ImportStartReason } from "./import-start.js";
export { storeIdentity } from "./store-identity.js";
