// The CRM record ids a sink writes back to come from the lead as claypipe took it, whatever
// columns Clay's callback sends back.
import { describe, expect, it } from "vitest";
import { crmRecordId, withCrmRecordIds } from "../../src/sinks/crm-record-ids.js";
import { sinkRecord } from "../stand-ins/sink-records.js";

describe("CRM record ids of a sink record", () => {
  it("adds the lead's ids to a row Clay sent back without them", () => {
    const row = withCrmRecordIds(
      { email: "ada@acme.com", job_title: "CTO" },
      { email: "ada@acme.com", hubspot_contact_id: "1001", salesforce_id: "00Q000000000001AAA" },
    );
    expect(row).toEqual({
      email: "ada@acme.com",
      job_title: "CTO",
      hubspot_contact_id: "1001",
      salesforce_id: "00Q000000000001AAA",
    });
  });

  it("prefers the lead's own id over one the row carries, and leaves a row alone when the lead has none", () => {
    const row = { hubspot_contact_id: "2002" };
    expect(withCrmRecordIds(row, { hubspot_contact_id: 1001 })).toEqual({
      hubspot_contact_id: "1001",
    });
    expect(withCrmRecordIds(row, { email: "ada@acme.com" })).toBe(row);
  });

  it("reads an id only when it is a non-empty text or a whole number", () => {
    expect(crmRecordId(sinkRecord({ hubspot_contact_id: " 1001 " }), "hubspot")).toBe("1001");
    expect(crmRecordId(sinkRecord({ hubspot_contact_id: 1001 }), "hubspot")).toBe("1001");
    expect(crmRecordId(sinkRecord({ hubspot_contact_id: "" }), "hubspot")).toBeUndefined();
    expect(crmRecordId(sinkRecord({ salesforce_id: { id: 1 } }), "salesforce")).toBeUndefined();
    expect(crmRecordId(sinkRecord({ hubspot_contact_id: "1001" }), "salesforce")).toBeUndefined();
  });
});
