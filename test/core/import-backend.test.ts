import { describe, expect, it } from "vitest";
import { ClaypipeError } from "../../src/core/errors.js";
import { importBackend } from "../../src/core/import-backend.js";

describe("importBackend", () => {
  it("says which package to install when it is missing", async () => {
    const name = "claypipe-no-such-backend";
    await expect(importBackend(name, "the test tier", () => import(name))).rejects.toSatisfy(
      (error) =>
        error instanceof ClaypipeError &&
        error.code === "config_invalid" &&
        error.message === `the test tier needs the ${name} package, which is not installed` &&
        error.hint === `run \`npm i ${name}\` where claypipe is installed`,
    );
  });

  it("passes a backend's own failure through", async () => {
    const failure = new Error("broken backend");
    await expect(importBackend("pg", "the test tier", () => Promise.reject(failure))).rejects.toBe(
      failure,
    );
  });

  it("returns the loaded module", async () => {
    const yaml = await importBackend("yaml", "the test tier", () => import("yaml"));
    expect(typeof yaml.parse).toBe("function");
  });
});
