/** Lead file readers: CSV and JSON Lines, streaming, one record per lead with its line number. */
export { type CsvLeadsOptions, readCsvLeads } from "./csv-leads.js";
export type { ByteSource } from "./input-bytes.js";
export { type JsonlLeadsOptions, readJsonlLeads } from "./jsonl-leads.js";
export type { LeadRecord, RejectedLeadRecord } from "./lead-record.js";
export {
  type LeadFile,
  type LeadFileFormat,
  type OpenLeadFileOptions,
  openLeadFile,
} from "./read-leads.js";
