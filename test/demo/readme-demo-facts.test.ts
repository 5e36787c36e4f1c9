/**
 * What the README says of the demo's leads is what the demo sends: the
 * number of generated leads, repeats of an earlier person and invalid ones,
 * for the defaults `claypipe demo` runs with.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateLead } from "../../src/core/lead.js";
import { DEMO_FREE_MAIL } from "../../src/demo/run-pipeline-demo.js";
import { FREE_MAIL_DOMAINS, sampleLeadInputs } from "../../src/demo/sample-leads.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** What the generated leads are: repeats share an email with an earlier lead; invalid ones fail validation. */
function describeLeads(inputs: Array<Record<string, string>>) {
  const emails = new Set<string>();
  let repeats = 0;
  let invalid = 0;
  let freeMail = 0;
  for (const input of inputs) {
    if (FREE_MAIL_DOMAINS.some((domain) => input.email?.endsWith(`@${domain}`))) freeMail++;
    if (!validateLead(input).ok) invalid++;
    else if (emails.has(input.email!)) repeats++;
    else emails.add(input.email!);
  }
  return { leads: inputs.length, repeats, invalid, freeMail };
}

describe("the README's demo", () => {
  it("has the repeats, invalid and free-mail leads the README says it has", () => {
    const said =
      /(\d+) generated leads \((\d+) repeats of an earlier person, (\d+) invalid, (\d+) with a free-mail address\)/.exec(
        README.replaceAll(/\s+/g, " "),
      );
    expect(said, "the quick start's sentence on the demo's leads").not.toBeNull();
    const [, leads, repeats, invalid, freeMail] = said!.map(Number);
    // The CLI's defaults: 150 leads, seed 7.
    expect(
      describeLeads(sampleLeadInputs({ count: 150, seed: 7, freeMail: DEMO_FREE_MAIL })),
    ).toEqual({ leads, repeats, invalid, freeMail });
  });

  it("has the same share of repeats whatever the seed", () => {
    for (const seed of [1, 2, 3]) {
      expect(describeLeads(sampleLeadInputs({ count: 150, seed })).repeats).toBe(15);
    }
  });
});
