/**
 * `claypipe doctor` as a user runs it: the text report and `--json` for CI,
 * the exit code by the worst line, and no secret of the config in either,
 * even when the checks that use them fail.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/demo/free-port.js";
import { DOCTOR_LEVELS } from "../../src/doctor/doctor-report.js";
import { runCli } from "../cli/run-cli.js";
import { killHard, startService } from "../reliability/service-harness.js";
import { removeTempDirs } from "../temp-dirs.js";
import { type DoctorSetup, SECRETS, startDoctorSetup } from "./doctor-setup.js";

let setup: DoctorSetup;
beforeAll(async () => {
  setup = await startDoctorSetup();
});
afterAll(async () => {
  await setup.close();
  removeTempDirs();
});

// Wrong values are secrets too: a refusal must not echo what was refused.
const WRONG = {
  CLAY_API_KEY: "clay-wrong-key-5e6f7a8b9c",
  HUBSPOT_TOKEN: "hubspot-wrong-token-1a2b3c",
  SMARTLEAD_KEY: "smartlead-wrong-key-4d5e6f",
};

function expectNoSecret(output: string): void {
  for (const secret of [...Object.values(SECRETS), ...Object.values(WRONG)]) {
    if (secret.startsWith("postgres://")) continue; // an address without a password, shown on purpose
    expect(output).not.toContain(secret);
  }
  expect(output).not.toContain("slack-secret-part");
}

describe("claypipe doctor (CLI)", () => {
  it("exits 0 on a good setup and prints one line per check", async () => {
    const result = await runCli(["doctor", "-c", setup.configPath], {
      cwd: setup.dir,
      env: setup.env,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("ok    clay.main.publicApi: key accepted");
    expect(result.stdout).toMatch(/\n\d+ ok, 0 warnings, 0 errors\n$/);
    expectNoSecret(result.stdout + result.stderr);
  });

  it("prints the report as JSON, exits 1 on an error, and never shows a secret", async () => {
    const env = { ...setup.env, ...WRONG };
    const json = await runCli(["doctor", "--json", "-c", setup.configPath], {
      cwd: setup.dir,
      env,
    });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as {
      config: string;
      tier: string;
      worst: string;
      checks: Array<Record<string, string>>;
    };
    expect(report).toMatchObject({ config: setup.configPath, tier: "standard", worst: "error" });
    for (const check of report.checks) {
      expect(Object.keys(check).sort()).toEqual(
        check.level === "ok"
          ? ["found", "group", "level", "name"]
          : ["found", "group", "hint", "level", "name"],
      );
      expect(DOCTOR_LEVELS).toContain(check.level);
    }
    const failed = report.checks.filter((check) => check.level === "error").map((c) => c.name);
    expect(failed.sort()).toEqual([
      "clay.main.publicApi",
      "sinks.crm",
      "sinks.members",
      "sinks.sequences",
    ]);
    expectNoSecret(json.stdout + json.stderr);

    const text = await runCli(["doctor", "-c", setup.configPath], { cwd: setup.dir, env });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("FAIL  sinks.crm: HubSpot answered 401");
    expect(text.stdout).toContain("        → set accessToken to a private app token");
    expectNoSecret(text.stdout + text.stderr);
  });

  it("checks the store of a running service without taking it over", async () => {
    const port = await freePort();
    setup.writeConfig(
      (yaml) =>
        `${yaml.replace("http://127.0.0.1:8787", `http://127.0.0.1:${port}`)}server: { port: ${port} }\n`,
    );
    const service = await startService(setup.configPath, setup.dir, setup.env);
    try {
      const result = await runCli(["doctor", "--json", "-c", setup.configPath], {
        cwd: setup.dir,
        env: setup.env,
      });
      expect(result.code, result.stdout).toBe(0);
      const { checks } = JSON.parse(result.stdout) as { checks: Array<Record<string, string>> };
      expect(checks.find((check) => check.name === "store.sqlite")?.found).toMatch(/^SQLite 3\./);
      expect(checks.find((check) => check.name === "capacity.main/leads")?.level).toBe("ok");
      expect(service.child.exitCode).toBeNull();
    } finally {
      await killHard(service);
      setup.writeConfig();
    }
  });

  it("exits 1 with the config's problem when the file is missing", async () => {
    const result = await runCli(["doctor", "-c", "nowhere.yaml"], { cwd: setup.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("FAIL  config: no config file at");
    expect(result.stdout).toContain("→ run `claypipe init`");
  });
});
