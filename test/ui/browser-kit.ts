/**
 * A real browser for the dashboard's tests: the system's Chromium (Debian's
 * package, installed by scripts/install-browser.sh) driven by playwright-core,
 * which brings no browser of its own. Each page records the console's errors
 * and the page's uncaught errors: a CSP violation shows as a console error, so
 * "no errors" also means "nothing the CSP blocked".
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

const VIEWPORT = { width: 1280, height: 800 };
const SCREENSHOT_DIR = join(".test-output", "screenshots");

/** The flags Chromium runs with: headless in a container, nothing fetched from Google. */
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** The Chromium to drive: CLAYPIPE_CHROMIUM, or the first of Debian's names on PATH. */
export function findChromium(): string | undefined {
  const named = process.env.CLAYPIPE_CHROMIUM;
  if (named) return named;
  const dirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const name of ["chromium", "chromium-headless-shell", "chromium-browser"]) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (isExecutable(path)) return path;
    }
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
}

/** A page and what went wrong on it so far. */
export interface WatchedPage {
  page: Page;
  /** Console errors (CSP violations among them) and uncaught errors, with the URL they came from. */
  errors: string[];
}

/** A new page in a context of its own (its own cookies) at 1280×800, its errors recorded. */
export async function openPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  // Fail a wait well inside the test's own timeout, naming what did not happen.
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${page.url()}: console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`${page.url()}: uncaught: ${error.message}`));
  return { page, errors };
}

/** Saves the viewport as .test-output/screenshots/<name>.png; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** What a page function sees of a `<canvas>` (the tests are typed without the DOM's types). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: "2d"): { getImageData(...box: number[]): { data: ArrayLike<number> } } | null;
}

/**
 * How many pixels of the chart's canvas are drawn in colour: the series'
 * lines are, the axes and grid (grey) are not.
 */
export function colouredPixels(page: Page, chartSelector: string): Promise<number> {
  return page.locator(`${chartSelector} canvas`).evaluate((canvas: Canvas) => {
    const data = canvas.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data;
    let coloured = 0;
    for (let i = 0; data && i < data.length; i += 4) {
      const [r = 0, g = 0, b = 0, a = 0] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
    }
    return coloured;
  });
}
