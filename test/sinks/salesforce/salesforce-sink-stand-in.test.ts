// The Salesforce stand-in itself, over raw HTTP: the documented answers the sink is built against.
import { afterEach, describe, expect, it } from "vitest";
import {
  type SalesforceStandIn,
  startSalesforceStandIn,
} from "../../stand-ins/salesforce-stand-in.js";

const TOKEN = "00Dxx0000001gPL!AQ4AQFakeToken";
const PATH = "/services/data/v60.0/composite/sobjects/Lead/Claypipe_Id__c";
const running: SalesforceStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

interface UpsertResult {
  id: string | null;
  success: boolean;
  created?: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
}

async function start() {
  const standIn = await startSalesforceStandIn({ token: TOKEN });
  running.push(standIn);
  const patch = async (body: unknown, path = PATH, token = TOKEN) => {
    const response = await fetch(`${standIn.url}${path}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  return { standIn, patch };
}

const lead = (externalId: string, fields: Record<string, unknown> = {}) => ({
  attributes: { type: "Lead" },
  Claypipe_Id__c: externalId,
  LastName: "Lovelace",
  Company: "Acme",
  ...fields,
});

describe("Salesforce stand-in", () => {
  it("upserts on the external id: created, then updated, one result per record in order", async () => {
    const { patch, standIn } = await start();
    const first = await patch({ allOrNone: false, records: [lead("a"), lead("b")] });
    expect(first.status).toBe(200);
    const created = first.body as UpsertResult[];
    expect(created.map((result) => [result.success, result.created])).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(created[0]!.id).toMatch(/^00Q\w{15}$/);

    const second = await patch({ records: [lead("B", { Title: "CTO" }), lead("c")] });
    expect(second.body).toEqual([
      { id: created[1]!.id, success: true, errors: [], created: false },
      { id: expect.any(String), success: true, errors: [], created: true },
    ]);
    expect(standIn.records("Lead").get("b")).toMatchObject({ Title: "CTO", LastName: "Lovelace" });
  });

  it("keeps the good records when allOrNone is false, rolls all back when true", async () => {
    const { patch, standIn } = await start();
    const records = [lead("a"), lead("b", { LastName: "" })];
    const rolledBack = (await patch({ allOrNone: true, records })).body as UpsertResult[];
    expect(rolledBack.map((result) => result.errors[0]?.statusCode)).toEqual([
      "ALL_OR_NONE_OPERATION_ROLLED_BACK",
      "REQUIRED_FIELD_MISSING",
    ]);
    expect(standIn.records("Lead").size).toBe(0);

    const partial = (await patch({ allOrNone: false, records })).body as UpsertResult[];
    expect(partial[0]).toMatchObject({ success: true, created: true });
    expect(partial[1]).toEqual({
      id: null,
      success: false,
      errors: [
        {
          statusCode: "REQUIRED_FIELD_MISSING",
          message: "Required fields are missing: [LastName]",
          fields: ["LastName"],
        },
      ],
    });
    expect([...standIn.records("Lead").keys()]).toEqual(["a"]);
  });

  it("refuses a bad token, over 200 records, and unknown objects or fields", async () => {
    const { patch } = await start();
    expect(await patch({ records: [lead("a")] }, PATH, "expired")).toEqual({
      status: 401,
      body: [{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }],
    });
    const tooMany = await patch({ records: Array.from({ length: 201 }, (_, n) => lead(`p${n}`)) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject([{ errorCode: "EXCEEDED_ID_LIMIT" }]);

    const unknownObject = await patch(
      { records: [] },
      "/services/data/v60.0/composite/sobjects/Lemon/Claypipe_Id__c",
    );
    expect(unknownObject.status).toBe(404);
    const unknownField = await patch(
      { records: [lead("a")] },
      "/services/data/v60.0/composite/sobjects/Lead/Nope__c",
    );
    expect(unknownField).toEqual({
      status: 404,
      body: [
        {
          errorCode: "NOT_FOUND",
          message: "Provided external ID field does not exist or is not accessible: Nope__c",
        },
      ],
    });
    // sObject Collections upsert exists from API version 46.0.
    const oldVersion = await patch({ records: [lead("a")] }, PATH.replace("v60.0", "v45.0"));
    expect(oldVersion.status).toBe(404);
  });

  it("marks every copy of an external id repeated in one request", async () => {
    const { patch } = await start();
    const answer = (await patch({ records: [lead("a"), lead("A")] })).body as UpsertResult[];
    expect(answer.map((result) => result.errors[0]?.statusCode)).toEqual([
      "DUPLICATE_EXTERNAL_ID",
      "DUPLICATE_EXTERNAL_ID",
    ]);
  });
});
