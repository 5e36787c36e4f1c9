/**
 * The sources' intake blocks in a real config file: defaults, secrets only
 * from the environment, and the checks across keys (form ids, the URL HubSpot
 * signs, a tier with a server).
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load-config.js";
import { ClaypipeError } from "../../src/core/errors.js";

const ENV = {
  HUBSPOT_CLIENT_SECRET: "hs-client-secret",
  HUBSPOT_TOKEN: "pat-na1-token",
  CRM_SECRET: "crm-shared-secret-0123456789",
  CALLBACK_SECRET: "c".repeat(40),
};

function configText(sources: string, { tier = "standard", callbacks = true } = {}): string {
  return `
tier: ${tier}
clay:
  workspaces:
    - name: main
      tables:
        - name: leads
          webhooks:
            - url: https://api.clay.com/v3/sources/webhook/pull-in-data-from-a-webhook-abc
${callbacks ? "callbacks:\n  baseUrl: https://claypipe.example.com/\n  secret: ${CALLBACK_SECRET}\n" : ""}
sources:
${sources}
`;
}

function failure(run: () => unknown): ClaypipeError {
  try {
    run();
  } catch (thrown) {
    if (thrown instanceof ClaypipeError) return thrown;
    throw thrown;
  }
  throw new Error("expected a ClaypipeError");
}

const FORM = `
  - name: web
    form:
      allowedOrigins: ["https://WWW.Acme.com/"]
      fields: { email: Email, first_name: "First Name" }
      honeypot: website
      redirect: { success: "https://acme.com/thanks", error: "https://acme.com/oops" }`;

const HUBSPOT = `
  - name: hs
    hubspot:
      clientSecret: \${HUBSPOT_CLIENT_SECRET}
      accessToken: \${HUBSPOT_TOKEN}`;

const CRM = `
  - name: salesforce
    crm:
      secret: \${CRM_SECRET}
      secretHeader: X-Claypipe-Secret
      eventsPath: records
      fields: { email: Contact.Email, company: Account.Name }`;

describe("sources[].form, .hubspot and .crm", () => {
  it("fills the defaults and normalizes origins and header names", () => {
    const config = parseConfig(configText(FORM + HUBSPOT + CRM), { env: ENV });
    const [web, hs, salesforce] = config.sources;
    expect(web!.form).toMatchObject({
      allowedOrigins: ["https://www.acme.com"],
      fields: { email: "Email", first_name: "First Name" },
    });
    expect(web!.form!.id).toBeUndefined();
    expect(hs!.hubspot).toEqual({
      clientSecret: "hs-client-secret",
      accessToken: "pat-na1-token",
      apiBaseUrl: "https://api.hubapi.com",
      events: ["contact.creation", "object.creation"],
      readTimeout: 3000,
    });
    expect(salesforce!.crm).toMatchObject({
      secret: ENV.CRM_SECRET,
      secretHeader: "x-claypipe-secret",
      eventsPath: "records",
    });
  });

  it("takes secrets only from the environment, and never shows them", () => {
    const literal = HUBSPOT.replace("${HUBSPOT_CLIENT_SECRET}", "plain-secret").concat(
      CRM.replace("${CRM_SECRET}", "plain-crm-secret-0123456789"),
    );
    const error = failure(() => parseConfig(configText(literal), { env: ENV }));
    expect(error.message).toContain(
      "sources[0].hubspot.clientSecret: secrets must come from the environment",
    );
    expect(error.message).toContain(
      "sources[1].crm.secret: secrets must come from the environment",
    );
    expect(error.message).not.toContain("plain-secret");
  });

  it("says which key is wrong and what is expected", () => {
    const bad = `
  - name: web
    form:
      allowedOrigins: ["https://acme.com/contact"]
      fields: { "First Name": first }
  - name: crm
    crm:
      secret: \${CRM_SECRET}
      fields: { email: "Contact..Email" }
  - name: open
    form: {}`;
    const error = failure(() => parseConfig(configText(bad), { env: ENV }));
    expect(error.message).toContain("sources[0].form.allowedOrigins[0]: expected an origin like");
    expect(error.message).toContain(
      'sources[0].form.fields.First Name: "First Name" is not a lead field name: write it as first_name',
    );
    expect(error.message).toContain("sources[1].crm.fields.email: a dot path like Contact.Email");
    expect(error.message).toContain(
      'sources[2].form.allowedOrigins: required: list the origins of the pages that post the form, or ["*"]',
    );
  });

  it("refuses two forms with one id", () => {
    const twice = `${FORM}
  - name: landing
    form:
      id: web
      allowedOrigins: ["*"]`;
    const error = failure(() => parseConfig(configText(twice), { env: ENV }));
    expect(error.message).toContain(
      'sources[1].form.id: the form id "web" is already used by source "web"',
    );
  });

  it("needs the URL HubSpot signs: targetUrl, or callbacks.baseUrl to derive it", () => {
    const error = failure(() =>
      parseConfig(configText(HUBSPOT, { tier: "standard", callbacks: false }), { env: ENV }),
    );
    expect(error.message).toContain("sources[0].hubspot.targetUrl: HubSpot signs the URL it calls");
    const withTarget = HUBSPOT.concat("\n      targetUrl: https://hooks.acme.com/hubspot");
    const config = parseConfig(configText(withTarget), { env: ENV });
    expect(config.sources[0]!.hubspot!.targetUrl).toBe("https://hooks.acme.com/hubspot");
  });

  it("refuses intake blocks on the direct tier, which runs no server", () => {
    const error = failure(() =>
      parseConfig(configText(FORM, { tier: "direct", callbacks: false }), { env: ENV }),
    );
    expect(error.message).toContain("sources[0].form: the direct tier runs no HTTP server");
  });
});
