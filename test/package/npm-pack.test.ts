/**
 * claypipe as a user outside the clone installs it until it is published: the
 * `npm pack` tarball installed into an empty project. Its `claypipe` bin and
 * its library entries must work there, on the SQLite store too. Dependencies
 * come from the npm registry (through the local npm cache); install scripts
 * are skipped, so better-sqlite3's native build is not what is tested, and on
 * a Node.js without node:sqlite the store must say plainly what to do.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableSqliteDrivers } from "../../src/store/sqlite/sqlite-driver.js";

const INSTALL_TIMEOUT_MS = 240_000;

let dir: string;
let app: string;
let tarball: string;

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_update_notifier: "false" },
    timeout: INSTALL_TIMEOUT_MS,
  });
}

/** Runs the installed bin, as `npx claypipe` would, on this Node.js. */
function claypipe(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(app, "node_modules", ".bin", "claypipe"), ...args], {
    cwd: app,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "claypipe-pack-"));
  app = join(dir, "app");
  // dist/ is what the tarball ships; the tests' global setup has just built it.
  const packed = JSON.parse(
    npm(["pack", "--ignore-scripts", "--json", "--pack-destination", dir], resolve(".")),
  ) as Array<{ filename: string }>;
  tarball = join(dir, packed[0]!.filename);
  mkdirSync(app);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "claypipe-user", private: true, type: "module" }),
  );
  npm(["install", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", tarball], app);
}, INSTALL_TIMEOUT_MS);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the npm pack tarball, installed into an empty project", () => {
  it("ships the built package and runs nothing at install", () => {
    const manifest = JSON.parse(
      readFileSync(join(app, "node_modules", "claypipe", "package.json"), "utf8"),
    ) as { scripts?: Record<string, string> };
    for (const hook of ["preinstall", "install", "postinstall"]) {
      expect(manifest.scripts?.[hook], hook).toBeUndefined();
    }
    const help = claypipe(["--help"]);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain("Usage: claypipe");
    const recommend = claypipe(["recommend", "--volume", "5000"]);
    expect(recommend.status, recommend.stderr).toBe(0);
    expect(recommend.stdout).toContain("standard");
  });

  it("serves the library entry and the emulator entry to import", () => {
    const script = `
      const claypipe = await import("claypipe");
      const emulator = await import("claypipe/emulator");
      console.log(JSON.stringify([typeof claypipe.createPipeline, typeof claypipe.createSqliteStore, typeof emulator.startEmulator]));`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: app,
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(["function", "function", "function"]);
  });

  it("opens the standard tier's SQLite store, or says what to install where it cannot", () => {
    writeFileSync(
      join(app, "claypipe.config.yaml"),
      `tier: standard
clay:
  workspaces:
    - name: main
      tables:
        - name: leads
          webhooks:
            - url: http://127.0.0.1:9/v3/sources/webhook/pull-in-data-from-a-webhook-x
callbacks: { baseUrl: "http://127.0.0.1:8787", secret: "\${CB_SECRET}" }
sources: [{ name: api, table: leads }]
store: { sqlite: { path: state/claypipe.db } }
sinks: [{ name: out, type: file, path: out.jsonl }]
routes: { default: [out] }
`,
    );
    const status = claypipe(["status"], { CB_SECRET: "s".repeat(40) });
    // Install scripts were skipped, so only a built-in node:sqlite can open the store here.
    if (availableSqliteDrivers().includes("node:sqlite")) {
      expect(status.status, status.stderr).toBe(0);
      expect(status.stdout).toContain("tier: standard");
    } else {
      expect(status.status).toBe(1);
      expect(status.stderr).toContain("needs better-sqlite3");
      expect(status.stderr).toContain("Node.js 22.13 or later");
    }
  });
});
