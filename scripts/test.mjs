// The whole test suite, as CI runs it: lint, typecheck, then every test (the
// tests' global setup builds dist/ for the CLI tests).
// Ends with the plain line "N passed, N failed" that CI reads.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";

const reportFile = ".test-output/vitest.json";

function run(label, command, args) {
  console.log(`\n== ${label}`);
  const result = spawnSync(command, args, { stdio: "inherit" });
  return result.status === 0;
}

function countChecks(results) {
  const passed = results.filter(Boolean).length;
  return { passed, failed: results.length - passed };
}

const checks = [
  run("lint (biome)", "npx", ["biome", "check", "."]),
  run("typecheck (tsc)", "npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]),
];

rmSync(reportFile, { force: true });
mkdirSync(".test-output", { recursive: true });
const testsRan = run("tests (vitest)", "npx", [
  "vitest",
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${reportFile}`,
  ...process.argv.slice(2),
]);

let tests = { passed: 0, failed: testsRan ? 0 : 1 };
try {
  const report = JSON.parse(readFileSync(reportFile, "utf8"));
  tests = { passed: report.numPassedTests, failed: report.numFailedTests };
  // A file that fails to load counts no test but must still fail the run.
  if (!testsRan && tests.failed === 0) tests.failed = 1;
} catch {
  console.log("vitest wrote no report: counting the test run as one failure");
}

const checkCounts = countChecks(checks);
const passed = tests.passed + checkCounts.passed;
const failed = tests.failed + checkCounts.failed;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
