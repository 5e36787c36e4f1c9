/**
 * Fuzzing the two doors that take bodies from outside, over real HTTP:
 * POST /v1/leads and POST /v1/callbacks/clay/:token get random JSON, random
 * bytes, huge strings, deep nesting and lead-like batches. Whatever comes, the
 * answer is never a 5xx, every error answer says what to fix, the process
 * keeps running, and every lead answered 202 is in the store afterwards.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createCallbackSigner } from "../../src/clay/callback-token.js";
import { API_KEY, type Harness, lead, SECRET, startHarness, TABLE_ID } from "./server-harness.js";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

interface FuzzBody {
  body: string | Uint8Array;
  contentType: string | undefined;
}

const nested = (depth: number, open: string, close: string, middle = "") =>
  open.repeat(depth) + middle + close.repeat(depth);

const leadish = fc.record(
  {
    email: fc.oneof(fc.emailAddress(), fc.string(), fc.constant("a@example.com")),
    first_name: fc.string(),
    last_name: fc.string(),
    company: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    linkedin_url: fc.oneof(fc.webUrl(), fc.constant("https://linkedin.com/in/someone")),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);

const texts: fc.Arbitrary<string> = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.string({ unit: "binary", maxLength: 2000 }),
  fc.integer({ min: 1, max: 3000 }).map((depth) => nested(depth, "[", "]")),
  fc.integer({ min: 1, max: 1000 }).map((depth) => nested(depth, '{"a":', "}", "1")),
  fc
    .integer({ min: 0, max: 6000 })
    .map((size) => JSON.stringify(lead(1, { notes: "x".repeat(size) }))),
  fc
    .integer({ min: 0, max: 3000 })
    .map((size) => JSON.stringify({ [`k${"y".repeat(size)}`]: 1, email: "k@example.com" })),
  fc.array(leadish, { minLength: 0, maxLength: 7 }).map((leads) => JSON.stringify(leads)),
  leadish.map((one) => JSON.stringify(one)),
  fc.array(leadish, { maxLength: 4 }).map((leads) => JSON.stringify({ leads, source: "web" })),
);

const bodies: fc.Arbitrary<FuzzBody> = fc.oneof(
  fc.record({
    body: texts,
    contentType: fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      undefined,
    ),
  }),
  fc.record({
    body: fc.uint8Array({ maxLength: 3000 }),
    contentType: fc.constant("application/json"),
  }),
);

async function send(path: string, fuzz: FuzzBody, headers: Record<string, string> = {}) {
  const response = await fetch(`${harness.url}${path}`, {
    method: "POST",
    headers: {
      ...headers,
      ...(fuzz.contentType === undefined ? {} : { "content-type": fuzz.contentType }),
    },
    body: fuzz.body,
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
}

function expectNoServerError(answer: { status: number; body: Record<string, unknown> }): void {
  expect(answer.status).toBeLessThan(500);
  if (answer.status >= 400) {
    expect(answer.body.error).toEqual(expect.any(String));
    expect(answer.body.hint).toEqual(expect.any(String));
  }
}

it("POST /v1/leads: never a 5xx, and every accepted lead is in the store", async () => {
  const accepted: string[] = [];
  const statuses = new Set<number>();
  await fc.assert(
    fc.asyncProperty(
      bodies,
      fc.constantFrom("", "?source=web", "?source=nope"),
      async (fuzz, query) => {
        const answer = await send(`/v1/leads${query}`, fuzz, {
          authorization: `Bearer ${API_KEY}`,
        });
        expectNoServerError(answer);
        statuses.add(answer.status);
        if (answer.status === 202) {
          for (const entry of answer.body.accepted as Array<{ id: string }>)
            accepted.push(entry.id);
        }
      },
    ),
    { numRuns: 250 },
  );
  // The run went through the interesting answers, not only one of them.
  expect([...statuses]).toEqual(expect.arrayContaining([202, 400, 413, 415, 422]));
  expect(accepted.length).toBeGreaterThan(0);
  for (const id of accepted) expect((await harness.pipeline.getLead(id))?.lead.id).toBe(id);
});

/** The token in the callback URL Clay holds for the lead. */
function tokenOf(id: string): string {
  const row = harness.emulator.control
    .rows(TABLE_ID)
    .find((candidate) => candidate.fields.claypipe_id === id)!;
  return (row.fields.callback_url as string).split("/").at(-1)!;
}

it("POST /v1/callbacks/clay/:token: never a 5xx, for forged, unknown and real tokens", async () => {
  const posted = await harness.request("POST", "/v1/leads", lead(9000));
  const id = posted.body.accepted[0].id as string;
  await harness.waitForLead(id);
  const realToken = tokenOf(id);
  // A lead whose callback Clay lost: the first fuzz body with its token becomes its result.
  harness.emulator.control.setFaults({ callbackLostRate: 1 });
  const waiting = (await harness.request("POST", "/v1/leads", lead(9002))).body.accepted[0]
    .id as string;
  await harness.waitForLead(waiting, (view) => view.lead.state === "awaiting_callback");
  harness.emulator.control.clearFaults();
  const waitingToken = tokenOf(waiting);
  const signer = createCallbackSigner({ secrets: [SECRET], ttlMs: 60_000 });
  const unknownToken = signer.sign({ leadId: "0190aaaa-0000-7000-8000-000000000000", attempt: 1 });

  const tokens = fc.oneof(
    fc.string({ minLength: 1, maxLength: 300 }),
    fc.constant(realToken),
    fc.constant(waitingToken),
    fc.constant(unknownToken),
    fc
      .nat({ max: realToken.length - 1 })
      .map((at) => `${realToken.slice(0, at)}x${realToken.slice(at + 1)}`),
  );
  const statuses = new Set<number>();
  await fc.assert(
    fc.asyncProperty(tokens, bodies, async (token, fuzz) => {
      const answer = await send(`/v1/callbacks/clay/${encodeURIComponent(token)}`, fuzz);
      expectNoServerError(answer);
      statuses.add(answer.status);
    }),
    { numRuns: 250 },
  );
  expect([...statuses]).toEqual(expect.arrayContaining([200, 400, 401, 404]));
  // The real lead took its first callback only.
  const view = await harness.pipeline.getLead(id);
  expect(view?.lead.state).toBe("delivered");
  expect(view?.lead.result).toMatchObject({ claypipe_id: id, email: "lead9000@example.com" });
  // The waiting lead took one fuzz body as its result, once.
  const taken = await harness.waitForLead(waiting, (candidate) => candidate.lead.result !== null);
  expect(
    taken.history.filter((event) => event.to === "enriched" && event.from !== "enriched"),
  ).toHaveLength(1);
});

it("keeps working after the fuzzing: health, and a new lead delivered", async () => {
  expect((await harness.request("GET", "/healthz")).status).toBe(200);
  const posted = await harness.request("POST", "/v1/leads", lead(9001));
  expect(posted.status).toBe(202);
  expect((await harness.waitForLead(posted.body.accepted[0].id)).lead.state).toBe("delivered");
});
