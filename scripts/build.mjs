// Builds dist/ and keeps the `claypipe` bin executable: tsc rewrites files
// without the mode npm set when it linked the bin.
import { execFileSync } from "node:child_process";
import { chmodSync } from "node:fs";

execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
chmodSync("dist/cli/main.js", 0o755);
