/**
 * A whole setup for the doctor's tests: the Clay emulator, the sinks' stand-ins
 * and a config file naming them, with the secrets each test can change.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunningEmulator, startEmulator } from "../../src/emulator/index.js";
import { startInstantlyStandIn } from "../sinks/instantly/instantly-stand-in.js";
import { startSmartleadStandIn } from "../sinks/smartlead/smartlead-stand-in.js";
import { startHubspotStandIn } from "../stand-ins/hubspot-stand-in.js";
import { startSalesforceStandIn } from "../stand-ins/salesforce-stand-in.js";
import { makeTempDir } from "../temp-dirs.js";

/** The secrets the setup accepts; each is long and unique, so a test can look for it in any output. */
export const SECRETS = {
  CLAY_API_KEY: "clay-key-3f9a1c77e0d24b6b",
  HOOK_TOKEN: "hook-token-8d2e5f0a91c4",
  CB_SECRET: "cb-secret-5b7c9e1f3a2d4c6e8f0b1d3f5a7c9e1f",
  HUBSPOT_TOKEN: "pat-na1-hubspot-token-77aa",
  SALESFORCE_TOKEN: "00Dxx!salesforce-token-19bd",
  INSTANTLY_KEY: "instantly-key-c0ffee42",
  SMARTLEAD_KEY: "smartlead-key-deadbeef17",
  SLACK_URL: "https://hooks.slack.com/services/T000/B000/slack-secret-part",
  SINK_SECRET: "whsec_c2lnbmluZy1zZWNyZXQtZm9yLXRlc3Rz",
  PG_SINK_URL: "postgres://postgres@127.0.0.1:5432/test",
};

export interface DoctorSetup {
  dir: string;
  configPath: string;
  env: Record<string, string>;
  emulator: RunningEmulator;
  /** Writes the config again; `patch` edits its text (e.g. another server.host). */
  writeConfig(patch?: (yaml: string) => string): void;
  close(): Promise<void>;
}

export async function startDoctorSetup(): Promise<DoctorSetup> {
  const dir = makeTempDir("doctor");
  const emulator = await startEmulator({
    workspaces: [
      {
        id: "ws",
        apiKey: SECRETS.CLAY_API_KEY,
        publicApiRateLimit: { perMinute: 6_000, burst: 100 },
        tables: [{ id: "t_leads", autoRun: false, webhooks: [{}] }],
      },
    ],
  });
  const hubspot = await startHubspotStandIn({
    token: SECRETS.HUBSPOT_TOKEN,
    lists: { "101": "MANUAL", "102": "DYNAMIC" },
  });
  const salesforce = await startSalesforceStandIn({ token: SECRETS.SALESFORCE_TOKEN });
  const instantly = await startInstantlyStandIn({
    apiKey: SECRETS.INSTANTLY_KEY,
    campaignIds: ["8f1c2b9e-campaign"],
  });
  const smartlead = await startSmartleadStandIn({
    apiKey: SECRETS.SMARTLEAD_KEY,
    campaignIds: ["4242"],
  });
  const configPath = join(dir, "claypipe.config.yaml");
  const yaml = `tier: standard
clay:
  workspaces:
    - name: main
      credits: { daily: { data: 1000 }, monthly: { data: 20000 } }
      publicApi: { apiKey: "\${CLAY_API_KEY}", baseUrl: "${emulator.publicApiBaseUrl}" }
      tables:
        - name: leads
          id: t_leads
          webhooks:
            - url: "${emulator.webhookUrl("t_leads")}"
              authToken: "\${HOOK_TOKEN}"
callbacks:
  baseUrl: http://127.0.0.1:8787
  secret: "\${CB_SECRET}"
store: { sqlite: { path: ${join(dir, "state", "claypipe.db")} } }
sinks:
  - { name: file, type: file, path: ${join(dir, "out", "leads.jsonl")} }
  - { name: crm, type: hubspot, accessToken: "\${HUBSPOT_TOKEN}", baseUrl: "${hubspot.url}" }
  - { name: members, type: hubspot-list, accessToken: "\${HUBSPOT_TOKEN}", listId: 101, baseUrl: "${hubspot.url}" }
  - { name: sfdc, type: salesforce, accessToken: "\${SALESFORCE_TOKEN}", instanceUrl: "${salesforce.url}" }
  - name: outreach
    type: instantly
    apiKey: "\${INSTANTLY_KEY}"
    campaignId: 8f1c2b9e-campaign
    baseUrl: "${instantly.url}"
  - { name: sequences, type: smartlead, apiKey: "\${SMARTLEAD_KEY}", campaignId: 4242, baseUrl: "${smartlead.url}" }
  - { name: alerts, type: slack, webhookUrl: "\${SLACK_URL}" }
  - { name: hook, type: webhook, url: "http://127.0.0.1:8899/leads", secret: "\${SINK_SECRET}" }
  - { name: table, type: postgres, connectionString: "\${PG_SINK_URL}", table: doctor_test_leads }
logLevel: warn
`;
  const writeConfig = (patch: (text: string) => string = (text) => text) =>
    writeFileSync(configPath, patch(yaml));
  writeConfig();
  return {
    dir,
    configPath,
    env: { ...SECRETS },
    emulator,
    writeConfig,
    async close() {
      await Promise.all([
        emulator.close(),
        hubspot.close(),
        salesforce.close(),
        instantly.close(),
        smartlead.close(),
      ]);
    },
  };
}
