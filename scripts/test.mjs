// The whole test suite, as CI runs it: lint, typecheck, dependency rules, then every test (the
// tests' global setup builds dist/ for the CLI tests) on this Node.js, and
// every test again on Node.js 24 when this is another version: claypipe is
// tested on both. Node 24 comes from the npm registry's `node` package
// (`npm exec --package=node@24`); CLAYPIPE_TEST_NODE24=0 skips that run.
// Ends with the plain line "N passed, N failed" over everything, which CI reads.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";

const SECOND_NODE = "24";
const vitestArgs = process.argv.slice(2);

function run(label, command, args, env = process.env) {
  console.log(`\n== ${label}`);
  const result = spawnSync(command, args, { stdio: "inherit", env });
  return result.status === 0;
}

function countChecks(results) {
  const passed = results.filter(Boolean).length;
  return { passed, failed: results.length - passed };
}

/** Every test file on one Node.js binary; counts from vitest's JSON report. */
function runTests(node) {
  const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  const reportFile = `.test-output/vitest-${version}.json`;
  rmSync(reportFile, { force: true });
  mkdirSync(".test-output", { recursive: true });
  // The tests start `node` and `npx` too: the same Node.js comes first on their PATH.
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ""}` };
  const started = Date.now();
  const testsRan = run(
    `tests (vitest, Node.js ${version})`,
    node,
    [
      join("node_modules", "vitest", "vitest.mjs"),
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${reportFile}`,
      ...vitestArgs,
    ],
    env,
  );
  let tests = { passed: 0, failed: testsRan ? 0 : 1 };
  try {
    const report = JSON.parse(readFileSync(reportFile, "utf8"));
    tests = { passed: report.numPassedTests, failed: report.numFailedTests };
    // A file that fails to load counts no test but must still fail the run.
    if (!testsRan && tests.failed === 0) tests.failed = 1;
  } catch {
    console.log("vitest wrote no report: counting the test run as one failure");
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(
    `\nNode.js ${version}: ${tests.passed} tests passed, ${tests.failed} failed, in ${seconds} s`,
  );
  return tests;
}

/** The path of a Node.js binary of this major version, from the npm registry's `node` package. */
function fetchNode(major) {
  console.log(`\n== fetching Node.js ${major} (npm exec --package=node@${major})`);
  const found = spawnSync(
    "npm",
    ["exec", "--yes", `--package=node@${major}`, "--", "node", "-p", "process.execPath"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  const path = found.status === 0 ? found.stdout.trim() : "";
  if (!path) console.log(`could not fetch Node.js ${major}: counting its test run as one failure`);
  return path || undefined;
}

const checks = [
  run("lint (biome)", "npx", ["biome", "check", "."]),
  run("typecheck (tsc)", "npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]),
  // The folder layout's rules (.dependency-cruiser.cjs): no cycles, adapters wired only in tiers/.
  run("dependency rules (dependency-cruiser)", "npx", ["depcruise", "src", "--output-type", "err"]),
];

const runs = [runTests(process.execPath)];
const onSecondNode = process.versions.node.split(".")[0] === SECOND_NODE;
if (!onSecondNode && process.env.CLAYPIPE_TEST_NODE24 !== "0") {
  const node = fetchNode(SECOND_NODE);
  runs.push(node ? runTests(node) : { passed: 0, failed: 1 });
}

const checkCounts = countChecks(checks);
const passed = runs.reduce((sum, counts) => sum + counts.passed, checkCounts.passed);
const failed = runs.reduce((sum, counts) => sum + counts.failed, checkCounts.failed);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
