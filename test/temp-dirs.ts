/**
 * Temp folders for tests. Each is made under os.tmpdir() (the run's own
 * folder, see test/own-tmpdir.ts) and removed by removeTempDirs, which a test
 * file runs after each test (or after all, when its services outlive a test).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

/** A new empty folder named claypipe-<name>-XXXXXX. */
export function makeTempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `claypipe-${name}-`));
  made.push(dir);
  return dir;
}

/** Removes every folder makeTempDir made in this test file so far. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
