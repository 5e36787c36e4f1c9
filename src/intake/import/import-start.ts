/**
 * Where an import starts: after its saved position when the same file was
 * interrupted, at the top when it is new, changed since, or restarted on
 * purpose, and nowhere when it was already imported completely. Each outcome
 * comes with a sentence that tells the person which one it is.
 */
import {
  EMPTY_TOTALS,
  type ImportCheckpoints,
  type ImportedFile,
  type ImportPosition,
  sameFile,
} from "./import-checkpoint.js";

export type ImportStartReason = "new" | "resumed" | "restart" | "file_changed" | "already_done";

export interface ImportStart {
  reason: ImportStartReason;
  /** Where this run starts: records at or before `position.line` are skipped. */
  position: ImportPosition;
  /** What the import does and why, for a person. */
  message: string;
}

const FROM_TOP: ImportPosition = { line: 0, reportBytes: 0, totals: EMPTY_TOTALS, done: false };
const REPEATS_ARE_FREE =
  "leads an earlier run admitted come back as duplicates, which cost no credit";

export async function decideStart(options: {
  checkpoints: ImportCheckpoints | undefined;
  file: ImportedFile;
  source: string;
  restart: boolean;
}): Promise<ImportStart> {
  const { checkpoints, file, source } = options;
  if (options.restart) {
    return {
      reason: "restart",
      position: FROM_TOP,
      message: `starting at the top (--restart): ${REPEATS_ARE_FREE}`,
    };
  }
  const saved = await checkpoints?.read(file.path, source);
  if (saved === undefined) {
    return { reason: "new", position: FROM_TOP, message: `importing into source "${source}"` };
  }
  const { position } = saved;
  if (!sameFile(saved.file, file)) {
    return {
      reason: "file_changed",
      position: FROM_TOP,
      message: `the file changed since the import of it ${position.done ? "finished" : `stopped after line ${position.line}`} (${describeChange(saved.file, file)}): starting over at the top; ${REPEATS_ARE_FREE}`,
    };
  }
  if (position.done) {
    return {
      reason: "already_done",
      position,
      message: `this file was imported into source "${source}" completely on ${new Date(saved.savedAt).toISOString()}; nothing to do (--restart imports it again)`,
    };
  }
  return {
    reason: "resumed",
    position,
    message: `resuming after line ${position.line}, the last batch committed before the import stopped (${position.totals.read} records done)`,
  };
}

function describeChange(before: ImportedFile, now: ImportedFile): string {
  const changes: string[] = [];
  if (before.size !== now.size) changes.push(`size ${before.size} → ${now.size} bytes`);
  if (before.mtimeMs !== now.mtimeMs) {
    changes.push(`modified ${new Date(now.mtimeMs).toISOString()}`);
  }
  return changes.join(", ");
}
