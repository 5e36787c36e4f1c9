/** The status line for a table's capacity: a pool whose every webhook retired says what to do. */
import { describe, expect, it } from "vitest";
import { describePool } from "../../src/cli/describe-pool.js";

const webhook = (index: number, remaining: number) => ({
  index,
  key: `w${index}`,
  used: 50 - remaining,
  limit: 50,
  remaining,
  retired: remaining === 0,
  unusable: false,
});
const table = { used: 10, limit: 50_000, remaining: 49_990 };

describe("describePool", () => {
  it("lists what each webhook has left, retired ones by name", () => {
    expect(describePool({ table, webhooks: [webhook(0, 0), webhook(1, 12)] })).toBe(
      "49990 rows; submissions per webhook retired, 12",
    );
  });

  it("says plainly when every webhook retired", () => {
    expect(describePool({ table, webhooks: [webhook(0, 0), webhook(1, 0)] })).toBe(
      "49990 rows; all webhooks retired: add a webhook source",
    );
  });
});
