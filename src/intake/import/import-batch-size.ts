/** The importer's batch size, apart so the CLI shows it in `--help` without loading the importer. */

/**
 * Leads per durable write. A commit costs an fsync (and, on PostgreSQL, a few
 * round trips) whatever its size, so a thousand leads a batch spread it thin;
 * bigger batches bought little more speed in bench/csv-import.ts and cost
 * memory: a batch lives across garbage collections, so its leads end up in
 * V8's old generation until the next full collection.
 */
export const DEFAULT_IMPORT_BATCH = 1000;
