/** The `refresh:` schedules in a real config file: defaults, and each check across keys. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load-config.js";
import { ClaypipeError } from "../../src/core/errors.js";

const ENV = { CALLBACK_SECRET: "c".repeat(40) };

function configText(refresh: string, tier = "standard"): string {
  return `
tier: ${tier}
clay:
  workspaces:
    - name: main
      tables:
        - name: leads
          webhooks:
            - url: https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-abc
callbacks:
  baseUrl: https://claypipe.example.com/
  secret: \${CALLBACK_SECRET}
sources: [{ name: web }]
routes:
  rules: [{ name: hot, when: "icp_score >= 80", to: [crm] }]
sinks: [{ name: crm, type: file, path: out.jsonl }]
refresh:
${refresh}
`;
}

function problems(refresh: string, tier?: string): string {
  try {
    parseConfig(configText(refresh, tier), { env: ENV });
  } catch (thrown) {
    if (thrown instanceof ClaypipeError) return thrown.message;
    throw thrown;
  }
  throw new Error("expected the config to be refused");
}

describe("refresh config", () => {
  it("reads a schedule with its defaults", () => {
    const config = parseConfig(
      configText(`  - { name: quarterly, schedule: "0 3 * * 1", olderThan: 90d }`),
      { env: ENV },
    );
    expect(config.refresh).toEqual([
      {
        name: "quarterly",
        schedule: "0 3 * * 1",
        timezone: "UTC",
        olderThan: 90 * 86_400_000,
        maxPerRun: 1000,
        creditShare: 0.5,
      },
    ]);
  });

  it("refuses a bad cron, an unknown time zone, names that point nowhere and a bad where", () => {
    const message = problems(`
  - name: q
    schedule: "61 3 * * *"
    timezone: Mars/Olympus
    olderThan: 90d
    sources: [web, csv]
    tables: [people]
    routes: [hot, warm]
    where: "icp_score >="
  - { name: q, schedule: "every day", olderThan: 1d }`);
    expect(message).toContain("refresh[0].schedule");
    expect(message).toContain("minute");
    expect(message).toContain('"Mars/Olympus" is not a time zone');
    expect(message).toContain('refresh[0].sources[1]: no source is named "csv"');
    expect(message).toContain("refresh[0].tables[0]");
    expect(message).toContain('refresh[0].routes[1]: no route is named "warm"');
    expect(message).toContain("refresh[0].where");
    expect(message).toContain('refresh[1].name: "q" is used twice');
    expect(message).toContain('"every day" is not five cron fields');
  });

  it("refuses refresh on the direct tier, which keeps no results", () => {
    expect(problems(`  - { name: q, schedule: "0 3 * * *", olderThan: 90d }`, "direct")).toContain(
      "the direct tier keeps no results to refresh",
    );
  });
});
