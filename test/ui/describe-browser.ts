/**
 * The browser tests' describe block: Chromium launched once for the block.
 * Without Chromium the tests are skipped with the reason in their name, or
 * fail when CLAYPIPE_REQUIRE_BROWSER=1 (CI, which installs it).
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { findChromium, launchChromium } from "./browser-kit.js";

const executable = findChromium();
const required = process.env.CLAYPIPE_REQUIRE_BROWSER === "1";
const MISSING = "no Chromium on PATH: run scripts/install-browser.sh (or set CLAYPIPE_CHROMIUM)";

/**
 * A describe block with a browser of its own (`browser()` inside tests and
 * hooks), skipped or failing as above when Chromium is missing.
 */
export function describeBrowser(name: string, body: (browser: () => Browser) => void): void {
  if (!executable && required) {
    describe(name, () => {
      it("has Chromium (CLAYPIPE_REQUIRE_BROWSER=1)", () => {
        throw new Error(MISSING);
      });
    });
    return;
  }
  if (!executable) {
    describe.skip(`${name} (skipped: ${MISSING})`, () => {
      it("needs Chromium", () => undefined);
    });
    return;
  }
  describe(name, () => {
    let launched: Browser | undefined;
    beforeAll(async () => {
      launched = await launchChromium(executable);
    });
    afterAll(async () => {
      await launched?.close();
    });
    body(() => {
      if (!launched) throw new Error("Chromium did not start");
      return launched;
    });
  });
}
