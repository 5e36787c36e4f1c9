/** Numeric CLI options: whole numbers within bounds, or an error that names the flag and the value. */
import { describe, expect, it } from "vitest";
import { parseNumberOption, TIME_SCALE } from "../../src/cli/parse-number-option.js";

describe("parseNumberOption", () => {
  it("takes whole numbers at or above the minimum", () => {
    expect(parseNumberOption("--limit", "50", { min: 1 })).toBe(50);
    expect(parseNumberOption("--limit", "1", { min: 1 })).toBe(1);
    expect(parseNumberOption("--port", "0", { min: 0, max: 65_535 })).toBe(0);
    expect(parseNumberOption("--time-scale", "0.5", TIME_SCALE)).toBe(0.5);
  });

  it.each(["abc", "", " ", "0", "-1", "1.5", "Infinity", "NaN"])(
    "refuses --limit %j, saying what it must be",
    (value) => {
      expect(() => parseNumberOption("--limit", value, { min: 1 })).toThrow(
        `--limit must be a whole number of at least 1 (got "${value}")`,
      );
    },
  );

  it("refuses values above the maximum and non-positive time scales", () => {
    expect(() => parseNumberOption("--port", "70000", { min: 0, max: 65_535 })).toThrow(
      '--port must be a whole number from 0 to 65535 (got "70000")',
    );
    expect(() => parseNumberOption("--time-scale", "0", TIME_SCALE)).toThrow(
      /--time-scale must be a number of at least/,
    );
  });

  it("echoes a long value shortened", () => {
    const error = (() => {
      try {
        parseNumberOption("--limit", "x".repeat(5_000), { min: 1 });
      } catch (thrown) {
        return thrown as Error;
      }
    })();
    expect(error?.message.length).toBeLessThan(200);
  });
});
