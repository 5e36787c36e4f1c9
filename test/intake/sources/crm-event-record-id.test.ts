// A CRM event's record id, mapped to salesforce_id or hubspot_contact_id, stays on the lead so the
// CRM sinks can write back to that record.
import { describe, expect, it } from "vitest";
import { crmIntakeSchema } from "../../../src/config/source-intake-schema.js";
import { crmEventToLead } from "../../../src/intake/sources/crm-event-leads.js";

const SECRET = "a-secret-of-24-characters";

describe("a CRM event's record id", () => {
  it("is mapped like any field: a Flow callout's Id becomes salesforce_id", () => {
    const { fields } = crmIntakeSchema.parse({
      secret: SECRET,
      fields: { salesforce_id: "Id", email: "Email", company: "Company" },
    });
    const lead = crmEventToLead(
      {
        attributes: { type: "Lead" },
        Id: "00Q5g00000AbCdEFGH",
        Email: "ada@acme.com",
        Company: "Acme",
      },
      fields,
    );
    expect(lead).toEqual({
      ok: true,
      lead: { salesforce_id: "00Q5g00000AbCdEFGH", email: "ada@acme.com", company: "Acme" },
    });
  });

  it("a HubSpot workflow webhook's objectId becomes hubspot_contact_id", () => {
    const { fields } = crmIntakeSchema.parse({
      secret: SECRET,
      fields: { hubspot_contact_id: "objectId", email: "properties.email" },
    });
    const lead = crmEventToLead({ objectId: 1001, properties: { email: "ada@acme.com" } }, fields);
    expect(lead).toEqual({ ok: true, lead: { hubspot_contact_id: 1001, email: "ada@acme.com" } });
  });
});
