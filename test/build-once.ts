/** Vitest global setup: CLI tests run the built `claypipe`, so build it when src/ is newer than dist/. */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The newest modification time of any file under `dir`, in ms. */
export function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const built = "dist/cli/main.js";
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime("src")) return;
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
}
