/**
 * Where an interrupted import resumes. After every committed batch the import
 * saves the last line of that batch; a later run of the same file into the
 * source of the same store skips the lines up to it.
 *
 * Glossary.
 * - imported file: a lead file as the checkpoint knows it — its real absolute
 *   path, size and modification time. A file whose size or time changed is a
 *   different file: its old line numbers mean nothing any more.
 * - position: the last line whose batch is committed (0 before the first), the
 *   report bytes that belong to committed batches, and the running totals.
 *
 * - store: which store the leads went into (see store-identity.ts); the same
 *   file into another store is another import.
 *
 * The file store keeps one JSON file per (file path, source, store) under
 * `<stateDir>/imports/`, rewritten atomically (temp file, then rename) and
 * without fsync: a checkpoint lost with the machine only makes the next run
 * repeat batches, and the dedupe gate admits repeats as duplicates, which cost
 * no credit.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, realpath, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ClaypipeError, coerceError } from "../../core/errors.js";

export interface ImportedFile {
  /** The real absolute path. */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface ImportTotals {
  /** Records read (good and bad), blank lines not counted. */
  read: number;
  /** Admitted as new leads, to be sent to Clay. */
  queued: number;
  /** Admitted as repeats of a lead already in the store: no credit spent on them. */
  duplicates: number;
  /** Admitted as skipped: a pre-send rule (enrichIf) keeps them from Clay, no credit spent. */
  skipped: number;
  badLines: number;
}

export interface ImportPosition {
  /** The last line whose batch is committed; 0 before the first batch. */
  line: number;
  /** Bytes of the bad-line report written for committed batches. */
  reportBytes: number;
  totals: ImportTotals;
  /** True once the whole file is in. */
  done: boolean;
}

export interface SavedImport {
  file: ImportedFile;
  source: string;
  position: ImportPosition;
  /** When it was saved (ms since the epoch). */
  savedAt: number;
}

/** The checkpoint port: one saved position per (file path, source) of one store. */
export interface ImportCheckpoints {
  /** The saved import of this path into this source, whatever its size and time say now. */
  read(path: string, source: string): Promise<SavedImport | undefined>;
  write(saved: SavedImport): Promise<void>;
  /** Where the position of this import is kept, for messages. */
  locate(path: string, source: string): string;
}

export const EMPTY_TOTALS: ImportTotals = {
  read: 0,
  queued: 0,
  duplicates: 0,
  skipped: 0,
  badLines: 0,
};

/** The lead file as a checkpoint identifies it. */
export async function identifyFile(path: string): Promise<ImportedFile> {
  const real = await realpath(path);
  const stats = await stat(real);
  return { path: real, size: stats.size, mtimeMs: stats.mtimeMs };
}

export function sameFile(a: ImportedFile, b: ImportedFile): boolean {
  return a.path === b.path && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/**
 * Checkpoints as JSON files in `dir` (the CLI uses `<stateDir>/imports`), of
 * imports into the store `store` names (see store-identity.ts).
 */
export function fileCheckpoints(dir: string, store: string): ImportCheckpoints {
  const locate = (path: string, source: string) => {
    const key = createHash("sha256")
      .update(`${path}\n${source}\n${store}`)
      .digest("hex")
      .slice(0, 24);
    return join(dir, `${key}.json`);
  };
  let dirMade = false;
  return {
    locate,
    async read(path, source) {
      const where = locate(path, source);
      let text: string;
      try {
        text = await readFile(where, "utf8");
      } catch (thrown) {
        if ((thrown as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw unreadable(where, thrown);
      }
      try {
        const saved = JSON.parse(text) as SavedImport & { version?: number };
        if (saved.version !== 1 || typeof saved.position?.line !== "number") {
          throw new Error("not a claypipe import checkpoint");
        }
        return {
          file: saved.file,
          source: saved.source,
          // A checkpoint saved before skipped leads were counted has none.
          position: { ...saved.position, totals: { ...EMPTY_TOTALS, ...saved.position.totals } },
          savedAt: saved.savedAt,
        };
      } catch (thrown) {
        throw unreadable(where, thrown);
      }
    },
    async write(saved) {
      const where = locate(saved.file.path, saved.source);
      const temp = `${where}.${process.pid}.tmp`;
      try {
        if (!dirMade) await mkdir(dir, { recursive: true });
        dirMade = true;
        await writeFile(temp, `${JSON.stringify({ version: 1, ...saved }, null, 2)}\n`);
        await rename(temp, where);
      } catch (thrown) {
        throw new ClaypipeError(
          "state_unavailable",
          `could not save the import position to ${where}: ${coerceError(thrown).message}`,
          {
            hint: "check that the state directory (stateDir) is writable and the disk is not full",
            cause: thrown,
          },
        );
      }
    },
  };
}

function unreadable(where: string, thrown: unknown): ClaypipeError {
  return new ClaypipeError(
    "state_unavailable",
    `the saved import position ${where} cannot be read: ${coerceError(thrown).message}`,
    {
      hint: "run the import with --restart to start at the top (leads already admitted come back as duplicates, which cost no credit), or delete that file",
      cause: thrown,
    },
  );
}
