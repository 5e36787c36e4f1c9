/**
 * One writer per file in a process. A process may run several pipelines on
 * one config (the demo's queue and event tiers run two workers in one
 * process), each with its own sink for the same path: sharing the writer keeps
 * "one process writes one file" true for them, so the file is scanned, headed
 * and appended by one queue, and no record is written twice or cut off.
 */
import { resolve } from "node:path";

export interface FileWriter<File> {
  /** The open file, once the first deliver() opened it. */
  file: Promise<File> | undefined;
  /** Appends in order: one deliver() writes at a time. */
  queue: Promise<unknown>;
}

interface Shared<File> extends FileWriter<File> {
  users: number;
}

const writers = new Map<string, Shared<unknown>>();

/** The path's writer, shared with every other sink of this process on the same file. */
export function acquireFileWriter<File>(path: string): FileWriter<File> {
  const key = resolve(path);
  const found = writers.get(key) as Shared<File> | undefined;
  if (found) {
    found.users += 1;
    return found;
  }
  const created: Shared<File> = { file: undefined, queue: Promise.resolve(), users: 1 };
  writers.set(key, created as Shared<unknown>);
  return created;
}

/** Lets go of the path's writer; true for the last sink on it, which closes the file. */
export function releaseFileWriter(path: string): boolean {
  const key = resolve(path);
  const found = writers.get(key);
  if (!found) return false;
  found.users -= 1;
  if (found.users > 0) return false;
  writers.delete(key);
  return true;
}
