/** Source resolution: the named or first source, its table and priority, and a clear error for an unknown one. */
import { describe, expect, it } from "vitest";
import { resolveSource } from "../../src/config/resolve-source.js";
import { configSchema } from "../../src/config/schema.js";
import { ClaypipeError } from "../../src/core/errors.js";

const config = configSchema.parse({
  clay: {
    workspaces: [
      { name: "main", tables: [{ name: "people", webhooks: [{ url: "https://x.test/a" }] }] },
      { name: "eu", tables: [{ name: "accounts", webhooks: [{ url: "https://x.test/b" }] }] },
    ],
  },
  sources: [
    { name: "web", priority: 0 },
    { name: "backfill", table: "eu/accounts", priority: 50 },
  ],
});

describe("resolveSource", () => {
  it("takes the first source when none is named, and its default table", () => {
    expect(resolveSource(config)).toMatchObject({
      source: { name: "web" },
      workspace: "main",
      table: "people",
      priority: 0,
    });
  });

  it("follows a source's table to its workspace", () => {
    expect(resolveSource(config, "backfill")).toMatchObject({
      workspace: "eu",
      table: "accounts",
      priority: 50,
    });
  });

  it("refuses an unknown source and lists the configured ones", () => {
    let thrown: unknown;
    try {
      resolveSource(config, "crm");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ClaypipeError);
    expect((thrown as ClaypipeError).code).toBe("input_invalid");
    expect((thrown as ClaypipeError).message).toContain('"crm"');
    expect((thrown as ClaypipeError).hint).toBe("use one of: web, backfill");
  });
});
