// The outreach sinks as a config declares them: the example in docs/sinks.md loads, and an API key
// written into the file is refused without being echoed.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load-config.js";
import { ClaypipeError } from "../../../src/core/errors.js";

const CLAY = `
clay:
  workspaces:
    - name: main
      tables:
        - name: leads
          webhooks:
            - url: https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-abc
              authToken: \${CLAY_WEBHOOK_TOKEN}
`;
const ENV = {
  CLAY_WEBHOOK_TOKEN: "clay-token-0000",
  INSTANTLY_API_KEY: "instantly-key-0000",
  SMARTLEAD_API_KEY: "smartlead-key-0000",
};

/** The YAML block of docs/sinks.md that declares an instantly sink. */
function docsExample(): string {
  const markdown = readFileSync(new URL("../../../docs/sinks.md", import.meta.url), "utf8");
  const block = [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => match[1]!)
    .find((yaml) => yaml.includes("type: instantly"));
  if (block === undefined) throw new Error("docs/sinks.md has no instantly example");
  return block;
}

describe("outreach sinks in the config", () => {
  it("loads the example of docs/sinks.md, with the defaults filled", () => {
    const config = parseConfig(`${CLAY}${docsExample()}`, { env: ENV });
    expect(config.sinks).toEqual([
      expect.objectContaining({
        type: "instantly",
        apiKey: "instantly-key-0000",
        baseUrl: "https://api.instantly.ai/api/v2",
        skipIfInWorkspace: false,
        ratePerSecond: 10,
      }),
      expect.objectContaining({
        type: "smartlead",
        apiKey: "smartlead-key-0000",
        campaignId: "1234567",
        baseUrl: "https://server.smartlead.ai/api/v1",
        ignoreDuplicateLeadsInOtherCampaign: false,
        ratePerSecond: 1,
      }),
    ]);
  });

  it.each(["instantly", "smartlead"])("refuses a %s apiKey written into the file", (type) => {
    const text = `${CLAY}\nsinks:\n  - { name: out, type: ${type}, apiKey: literal-key-1234, campaignId: "42" }\n`;
    let error: unknown;
    try {
      parseConfig(text, { env: ENV });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ClaypipeError);
    const { message } = error as ClaypipeError;
    expect(message).toContain("sinks[0].apiKey: secrets must come from the environment");
    expect(message).not.toContain("literal-key-1234");
  });
});
