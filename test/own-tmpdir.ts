/**
 * Vitest global setup: the run gets a temp folder of its own, as TMPDIR, which
 * os.tmpdir() in every test worker and every child process reads. At the end
 * the run fails if anything is left in it, so a test that does not clean up
 * after itself (or a command that leaves its temp files) is caught, whichever
 * process made the mess. The folder itself is removed either way.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const runDir = mkdtempSync(join(tmpdir(), "claypipe-test-run-"));
  process.env.TMPDIR = runDir;
  // Child processes that load TypeScript through tsx, or run npm/npx on a
  // Node.js with a module compile cache (22+), would keep those caches here;
  // in a folder removed at the end they would only be leftovers.
  const cacheSwitches = ["TSX_DISABLE_CACHE", "NODE_DISABLE_COMPILE_CACHE"];
  const previousSwitches = cacheSwitches.map((name) => process.env[name]);
  for (const name of cacheSwitches) process.env[name] = "1";
  return () => {
    cacheSwitches.forEach((name, index) => {
      const value = previousSwitches[index];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    });
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    const left = readdirSync(runDir);
    rmSync(runDir, { recursive: true, force: true });
    if (left.length === 0) return;
    console.error(
      `\nthe tests left ${left.length} temp file(s) or folder(s) behind: ${left.sort().join(", ")}\n` +
        "  → remove what a test makes in its afterEach/afterAll (test/temp-dirs.ts helps)\n",
    );
    // Vitest reports an error thrown here but still exits 0: fail the run on purpose.
    process.exitCode = 1;
  };
}
