// Builds dist/, copies the dashboard's assets, and keeps the `claypipe` bin executable: tsc rewrites files
// without the mode npm set when it linked the bin.
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync } from "node:fs";

execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
chmodSync("dist/cli/main.js", 0o755);
// The dashboard's own script and stylesheet are not TypeScript: tsc leaves them behind.
cpSync("src/ui/assets", "dist/ui/assets", { recursive: true });
